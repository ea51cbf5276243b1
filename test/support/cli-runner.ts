/** Runs the CLI in-process with captured streams: exit code, stdout and stderr. */
import { Writable } from 'node:stream';
import { run } from '../../src/cli/run';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

class Capture extends Writable {
  text = '';
  isTTY = false;
  columns?: number;
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

export interface CliRunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  homeDir?: string;
  /** runCli only: stdout is a terminal this many columns wide (tables fit it). */
  stdoutTerminalColumns?: number;
  /** runCli only: stderr is a terminal (progress shows a spinner unless TERM=dumb). */
  stderrTerminal?: boolean;
  /**
   * Where Nova's system locations (`/etc/nova`, `/etc`) are searched for nova.conf; a directory
   * that does not exist unless a test gives one, so no test reads the machine's /etc. For
   * runCellctlProcess it is passed as CELLCTL_SYSTEM_ROOT.
   */
  systemRoot?: string;
  /** runCellctlProcess only: called with all stderr so far each time more arrives. */
  onStderr?: (stderrSoFar: string) => void;
  /** runCellctlProcess only: called with the child process once spawned (to signal it). */
  onSpawn?: (child: import('node:child_process').ChildProcess) => void;
}

/** The system root tests use unless they give one: it does not exist, so no /etc/nova is found. */
export const NO_SYSTEM_ROOT = '/nonexistent-system-root';

/** Runs `cellctl <argv>` in this process. The environment is only what `options.env` gives. */
export async function runCli(argv: string[], options: CliRunOptions = {}): Promise<CliResult> {
  const stdout = new Capture();
  const stderr = new Capture();
  if (options.stdoutTerminalColumns !== undefined) Object.assign(stdout, { isTTY: true, columns: options.stdoutTerminalColumns });
  // The cursor methods a terminal stream has, which ora calls.
  if (options.stderrTerminal) Object.assign(stderr, { isTTY: true, columns: 80, clearLine: () => true, cursorTo: () => true, moveCursor: () => true });
  const code = await run(argv, {
    stdout,
    stderr,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    homeDir: options.homeDir ?? '/nonexistent-home',
    systemRoot: options.systemRoot ?? NO_SYSTEM_ROOT,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/**
 * Runs the built `bin/cellctl` as a separate process (for races between real processes and for
 * signals). `npm test` builds first; run `npm run build` before running jest by hand.
 */
export function runCellctlProcess(argv: string[], options: CliRunOptions = {}): Promise<CliResult> {
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  const { join } = require('node:path') as typeof import('node:path');
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(__dirname, '..', '..', 'bin', 'cellctl'), ...argv], {
      cwd: options.cwd ?? process.cwd(),
      env: { PATH: process.env.PATH, HOME: options.homeDir ?? '/nonexistent-home', CELLCTL_SYSTEM_ROOT: options.systemRoot ?? NO_SYSTEM_ROOT, ...options.env },
    });
    options.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      options.onStderr?.(stderr);
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
  });
}
