import { Command } from 'commander';
import { isFailed } from '../../../domain/outcome';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import { EXIT_ENVIRONMENT, EXIT_SUCCESS } from '../../exit-codes';
import { allCellsOption, cellOption, cellTimeoutOption, checkCellSelection } from '../../modern/options';
import { VERSION_COLUMNS, versionRows } from './schema-outcomes';

/** `cellctl db version`: the Nova schema revision of the configured, one, or every cell database. */
export function dbVersionCommand(ctx: CliContext): Command {
  const command = new Command('version')
    .description('list the Nova schema revision and status of cell databases: the configured [database], one cell, or every cell (one row each, in every format)')
    .addOption(cellOption('read this mapped cell instead of [database] connection'))
    .addOption(allCellsOption('read every mapped cell, cell0 included (one row each)'))
    .addOption(cellTimeoutOption());
  declareColumns(command, VERSION_COLUMNS);
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'every revision was read' },
      { code: 255, meaning: 'a database could not be read or timed out (--all-cells: its row says failed or timed-out; the others were read)' },
    ],
    async (options: { cell?: string; allCells?: boolean; cellTimeout: number }) => {
      checkCellSelection(options);
      const { cellSchemaTargets, inspectSchemas } = await ctx.services();
      const dbs = await ctx.databases();
      const outcomes = await inspectSchemas(dbs, await cellSchemaTargets(dbs, options), { timeoutMs: options.cellTimeout * 1000 });
      // One database or several, the same listing: JSON is always an array of rows with the same
      // keys (the configured [database], being no mapped cell, has null cell fields).
      if (!options.allCells && isFailed(outcomes[0])) throw outcomes[0].error;
      const { rows, failed } = versionRows(ctx, outcomes);
      ctx.printList(rows, VERSION_COLUMNS);
      return failed ? EXIT_ENVIRONMENT : EXIT_SUCCESS;
    },
  );
}
