import { homedir } from 'node:os';
import { basename } from 'node:path';
import { CommanderError } from 'commander';
import { CellctlError } from '../domain/errors';
import { CliContext } from './cli-context';
import { EXIT_ENVIRONMENT, EXIT_INVALID_INPUT, EXIT_SUCCESS } from './exit-codes';
import type { CliIo } from './run-context';

/**
 * The real process's streams and environment. Nova's system locations are searched under `/`, or
 * under CELLCTL_SYSTEM_ROOT when it is set (for tests of the built program, which must not read
 * the machine's /etc).
 */
export function processIo(): CliIo {
  const systemRoot = process.env.CELLCTL_SYSTEM_ROOT || '/';
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), homeDir: homedir(), systemRoot };
}

/** A front: how one syntax (cellctl's own, later Nova's) runs its arguments. */
interface Front {
  run(argv: string[], io: CliIo): Promise<number>;
}

/**
 * The fronts by the name the program is invoked as; anything else is the modern front. Each is
 * loaded only when chosen, with its command modules (nova-manage and nova-status come later).
 */
const FRONTS: Record<string, () => Front> = {
  cellctl: () => ({ run: runModern }),
};

/**
 * Runs cellctl with the given arguments (without `node` and the script) as the front that
 * `invokedAs` (the program's name, as in argv[1]) selects, and returns the exit code. It never
 * throws and always closes the databases it opened.
 */
export async function run(argv: string[], io: CliIo = processIo(), invokedAs = 'cellctl'): Promise<number> {
  const name = basename(invokedAs).replace(/\.js$/, '');
  return (FRONTS[name] ?? FRONTS.cellctl)().run(argv, io);
}

/**
 * The modern front: the one place that maps errors no command documented: invalid input 127,
 * everything else 255.
 */
async function runModern(argv: string[], io: CliIo): Promise<number> {
  const ctx = new CliContext(io, argv);
  try {
    const { buildProgram } = require('./program') as typeof import('./program');
    await buildProgram(ctx).parseAsync(argv, { from: 'user' });
    return ctx.getExitCode();
  } catch (error) {
    return reportError(ctx, error, argv.includes('--debug'));
  } finally {
    await ctx.close();
  }
}

function reportError(ctx: CliContext, error: unknown, debug: boolean): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its one line (or the help text) to the right stream.
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT_SUCCESS : EXIT_INVALID_INPUT;
  }
  if (error instanceof CellctlError) {
    ctx.error(error);
    if (debug && error.cause) ctx.debug(`caused by: ${error.cause instanceof Error ? error.cause.stack : String(error.cause)}`);
    return error.kind === 'invalid-input' ? EXIT_INVALID_INPUT : EXIT_ENVIRONMENT;
  }
  const message = error instanceof Error ? error.message : String(error);
  ctx.error(new Error(`unexpected error: ${message}${debug ? '' : ' (run with --debug for the stack trace)'}`));
  if (debug && error instanceof Error) ctx.debug(error.stack ?? '');
  return EXIT_ENVIRONMENT;
}
