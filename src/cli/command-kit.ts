import type { Command } from 'commander';
import { CellctlError } from '../domain/errors';
import type { CliContext } from './cli-context';
import { type ExitCodeDoc, formatExitCodes } from './exit-codes';
import type { ColumnSpec } from './output/output-format';

const EXIT_CODES = Symbol('cellctl.exitCodes');
const COLUMNS = Symbol('cellctl.columns');

type Documented = Command & { [EXIT_CODES]?: ExitCodeDoc[]; [COLUMNS]?: ColumnSpec[] };

/**
 * Declares every column a command may print (each of its listings' and records'), so that `-c` and
 * `--sort-column` are checked before it runs (program.ts): a command that writes must never write
 * and then refuse to print. test/unit/declared-columns.test.ts checks every printing command does.
 */
export function declareColumns(command: Command, ...sets: ColumnSpec[][]): Command {
  const all = sets.flat();
  (command as Documented)[COLUMNS] = all.filter((c, i) => all.findIndex((d) => d.key === c.key) === i);
  return command;
}

/** The columns a command declared (undefined: it declared none). */
export function declaredColumnsOf(command: Command): ColumnSpec[] | undefined {
  return (command as Documented)[COLUMNS];
}

/** The exit codes a command documents (empty for groups). */
export function exitCodesOf(command: Command): ExitCodeDoc[] {
  return (command as Documented)[EXIT_CODES] ?? [];
}

/**
 * Wires a command's handler: documents its exit codes in --help, runs the handler, records the
 * code it returns (0 when it returns nothing), and turns the errors the command documents into
 * its own codes with a one-line message. Other errors go on to run(), which maps them to 127/255.
 */
export function defineAction<Args extends unknown[]>(
  ctx: CliContext,
  command: Command,
  exitCodes: ExitCodeDoc[],
  handler: (...args: Args) => Promise<number | void>,
): Command {
  (command as Documented)[EXIT_CODES] = exitCodes;
  command.addHelpText('after', `\n${formatExitCodes(exitCodes)}\n`);
  command.action(async (...args: unknown[]) => {
    try {
      ctx.setExitCode((await handler(...(args as Args))) ?? 0);
    } catch (error) {
      const documented = exitCodes.find((c) => c.errors?.some((type) => error instanceof type));
      if (!documented || !(error instanceof CellctlError)) throw error;
      ctx.error(error);
      ctx.setExitCode(documented.code);
    }
  });
  return command;
}
