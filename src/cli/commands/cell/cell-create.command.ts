import { Command } from 'commander';
import { DuplicateCellError, InvalidTransportUrlError, MissingCellUrlError } from '../../../domain/errors';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import { dryRunOption } from '../../modern/options';
import { CELL_COLUMNS, cellRow, printCellNotices, SCHEDULER_CACHE_NOTE } from './cell-output';

/** `cellctl cell create`: map a new cell; prints its UUID alone on stdout. */
export function cellCreateCommand(ctx: CliContext): Command {
  const command = new Command('create')
    .description('map a new cell; prints its UUID alone on stdout (-f json|yaml|...: the whole cell)')
    .requiredOption('--name <name>', 'the cell name: unique (compared as MySQL compares names: case and trailing blanks ignored), not blank, no control characters')
    .option('--database-connection <url>', "the cell database URL (default: [database] connection)")
    .option('--transport-url <url>', "the cell's message queue URL (default: [DEFAULT] transport_url)")
    .option('--disabled', 'create the cell disabled (no new instances are scheduled to it)')
    .addOption(dryRunOption('check everything, report, write nothing'));
  declareColumns(command, CELL_COLUMNS);
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'created (or, with --dry-run, would be created)' },
      { code: 1, meaning: 'no database URL can be found, or the transport URL is missing or invalid', errors: [MissingCellUrlError, InvalidTransportUrlError] },
      { code: 2, meaning: "another cell (cell0 included) has the name, database connection or transport URL: 'already exists' and its UUID", errors: [DuplicateCellError] },
    ],
    async (options: { name: string; databaseConnection?: string; transportUrl?: string; disabled?: boolean; dryRun?: boolean }) => {
      const { createCell } = await ctx.services();
      const result = await createCell(await ctx.databases(), options, await ctx.cellPolicy());
      printCellNotices(ctx, result);
      if (result.dryRun) {
        ctx.notice(`dry run: would create cell ${options.name}; nothing written`);
        return;
      }
      if (ctx.globals.formatGiven) ctx.printObject(cellRow(ctx, result.cell), CELL_COLUMNS);
      else ctx.out(`${result.cell.uuid}\n`);
      ctx.notice(SCHEDULER_CACHE_NOTE);
    },
  );
}
