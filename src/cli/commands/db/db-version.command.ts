import { Command } from 'commander';
import { isFailed } from '../../../domain/outcome';
import type { CliContext } from '../../cli-context';
import { defineAction } from '../../command-kit';
import { EXIT_ENVIRONMENT, EXIT_SUCCESS } from '../../exit-codes';
import { allCellsOption, cellOption, cellTimeoutOption, checkCellSelection } from '../../modern/options';
import { DATABASE_VERSION_COLUMNS, VERSION_COLUMNS, versionRows } from './schema-outcomes';

/** `cellctl db version`: the Nova schema revision of the configured, one, or every cell database. */
export function dbVersionCommand(ctx: CliContext): Command {
  const command = new Command('version')
    .description('show the Nova schema revision and status of cell databases')
    .addOption(cellOption('read this mapped cell instead of [database] connection'))
    .addOption(allCellsOption('read every mapped cell, cell0 included (one row each)'))
    .addOption(cellTimeoutOption());
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
      if (!options.allCells) {
        const [outcome] = outcomes;
        if (isFailed(outcome)) throw outcome.error;
        // The configured [database] is no mapped cell: its object has no cell fields.
        const columns = options.cell === undefined ? DATABASE_VERSION_COLUMNS : VERSION_COLUMNS;
        ctx.printObject(versionRows(ctx, outcomes).rows[0], columns);
        return EXIT_SUCCESS;
      }
      const { rows, failed } = versionRows(ctx, outcomes);
      ctx.printList(rows, VERSION_COLUMNS);
      return failed ? EXIT_ENVIRONMENT : EXIT_SUCCESS;
    },
  );
}
