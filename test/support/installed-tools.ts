/**
 * Tests that need a program the machine may lack (zsh, fish, groff): run when it is on PATH,
 * otherwise skipped with one visible line, as global-setup.ts does for MySQL and Nova.
 */
import { spawnSync } from 'node:child_process';

/** Whether `program` is on PATH. */
export function installed(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v "$0"`, program], { encoding: 'utf8' }).status === 0;
}

/** `it(title, body)` when `program` is installed; else a skipped test and one line on stderr saying so. */
export function itWhenInstalled(program: string, title: string, body: () => Promise<void>): void {
  if (installed(program)) {
    it(title, body);
    return;
  }
  process.stderr.write(`[cellctl tests] ${program} is not installed: "${title}" is SKIPPED\n`);
  it.skip(title, body);
}
