import { homedir } from 'node:os';
import { CommanderError } from 'commander';
import { CellctlError } from '../domain/errors';
import { CliContext, type CliIo } from './cli-context';
import { EXIT_ENVIRONMENT, EXIT_INVALID_INPUT, EXIT_SUCCESS } from './exit-codes';
import { buildProgram } from './program';

/** The real process's streams and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), homeDir: homedir() };
}

/**
 * Runs cellctl with the given arguments (without `node` and the script) and returns the exit
 * code. This is the one place that maps errors no command documented: invalid input 127,
 * everything else 255. It never throws and always closes the databases it opened.
 */
export async function run(argv: string[], io: CliIo = processIo()): Promise<number> {
  const ctx = new CliContext(io);
  try {
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
