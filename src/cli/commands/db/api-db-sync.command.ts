import { Command } from 'commander';
import { SchemaRefusedError } from '../../../domain/errors';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import { dryRunOption } from '../../modern/options';
import { EXIT_SCHEMA_REFUSED, reportSyncOutcomes, SYNC_COLUMNS } from './schema-outcomes';

/** `cellctl api-db sync`: create Nova's API schema in an empty database, or confirm it is there. */
export function apiDbSyncCommand(ctx: CliContext): Command {
  const command = new Command('sync')
    .description("create Nova 26's API schema in an empty database, or complete the empty part of it a killed sync left; change nothing in one already at Nova's revision")
    .addOption(dryRunOption());
  declareColumns(command, SYNC_COLUMNS);
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: "the API database is at Nova's revision (created or completed now, or already)" },
      { code: EXIT_SCHEMA_REFUSED, meaning: "refused: the database holds another schema (a Nova cell database: the line says to swap the URLs), or tables that are not an empty part of Nova's (nothing written)", errors: [SchemaRefusedError] },
    ],
    async (options: { dryRun?: boolean }) => {
      const { apiSchemaTarget, syncSchemas } = await ctx.services();
      const dbs = await ctx.databases();
      return reportSyncOutcomes(ctx, await syncSchemas(dbs, [apiSchemaTarget(dbs)], { dryRun: options.dryRun }));
    },
  );
}
