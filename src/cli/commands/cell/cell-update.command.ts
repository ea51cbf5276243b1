import { Command } from 'commander';
import { Cell0ToggleError, ConflictingOptionsError, DuplicateCellError, InvalidTransportUrlError } from '../../../domain/errors';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import { cellParser, dryRunOption } from '../../modern/options';
import { CELL_COLUMNS, cellRow, printChanges, SCHEDULER_CACHE_NOTE } from './cell-output';

/** `cellctl cell update NAME|UUID`: change only what is passed. */
export function cellUpdateCommand(ctx: CliContext): Command {
  const command = new Command('update')
    .description('change only the values passed (unlike Nova, an omitted URL keeps its value); masked diff on stderr')
    .argument('<cell>', 'name or UUID', cellParser('<cell>'))
    .option('--name <name>', 'rename the cell (not blank, no control characters)')
    .option('--database-connection <url>', 'the new database URL')
    .option('--transport-url <url>', 'the new message queue URL')
    .option('--enable', 'enable the cell')
    .option('--disable', 'disable the cell (no new instances are scheduled to it)')
    .addOption(dryRunOption('report the diff, write nothing'));
  declareColumns(command, CELL_COLUMNS);
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'updated, or nothing to change' },
      { code: 1, meaning: 'the transport URL is invalid', errors: [InvalidTransportUrlError] },
      { code: 3, meaning: "another cell has the new name, database connection or transport URL: 'already exists' and its UUID", errors: [DuplicateCellError] },
      { code: 5, meaning: 'asked to enable or disable cell0', errors: [Cell0ToggleError] },
      { code: 127, meaning: 'invalid input, including --enable with --disable' },
    ],
    async (ref: string, options: { name?: string; databaseConnection?: string; transportUrl?: string; enable?: boolean; disable?: boolean; dryRun?: boolean }) => {
      const { updateCell } = await ctx.services();
      if (options.enable && options.disable) throw new ConflictingOptionsError('--enable and --disable cannot be combined');
      const disabled = options.enable ? false : options.disable ? true : undefined;
      const result = await updateCell(await ctx.databases(), ref, { ...options, disabled }, await ctx.cellPolicy());
      if (ctx.globals.formatGiven) ctx.printObject(cellRow(ctx, result.cell), CELL_COLUMNS);
      ctx.notice(result.changes.length ? `${result.dryRun ? 'dry run: would update' : 'updated'} cell ${result.cell.uuid}` : 'nothing to change');
      printChanges(ctx, result.changes);
      if (result.changes.length && !result.dryRun) ctx.notice(SCHEDULER_CACHE_NOTE);
    },
  );
}
