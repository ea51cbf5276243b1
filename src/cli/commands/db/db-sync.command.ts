import { Command } from 'commander';
import { SchemaRefusedError } from '../../../domain/errors';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import { allCellsOption, cellOption, checkCellSelection, dryRunOption } from '../../modern/options';
import { EXIT_SCHEMA_REFUSED, reportSyncOutcomes, SYNC_COLUMNS } from './schema-outcomes';

/** `cellctl db sync`: create Nova's cell schema in the configured, one, or every cell database. */
export function dbSyncCommand(ctx: CliContext): Command {
  const command = new Command('sync')
    .description("create Nova 26's cell schema in empty cell databases, or complete the empty part of it a killed sync left; change nothing in those already at Nova's revision")
    .addOption(cellOption('sync this mapped cell instead of [database] connection'))
    .addOption(allCellsOption('sync every mapped cell, cell0 included'))
    .addOption(dryRunOption());
  declareColumns(command, SYNC_COLUMNS);
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: "every database is at Nova's revision (created or completed now, or already), or no cell is mapped (--all-cells)" },
      { code: EXIT_SCHEMA_REFUSED, meaning: "refused: a database holds another schema (Nova's API database: the line names the fix), or tables that are not an empty part of Nova's (nothing written to it; the others were synced)", errors: [SchemaRefusedError] },
      { code: 255, meaning: 'a database could not be reached, failed or timed out (its row says failed or timed-out, with the error; the others were synced)' },
    ],
    async (options: { cell?: string; allCells?: boolean; dryRun?: boolean }) => {
      checkCellSelection(options);
      const { cellSchemaTargets, syncSchemas } = await ctx.services();
      const dbs = await ctx.databases();
      const targets = await cellSchemaTargets(dbs, options);
      if (targets.length === 0) {
        ctx.notice('no cells are mapped in the API database; nothing to sync');
      }
      return reportSyncOutcomes(ctx, await syncSchemas(dbs, targets, { dryRun: options.dryRun }));
    },
  );
}
