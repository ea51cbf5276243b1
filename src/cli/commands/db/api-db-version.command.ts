import { Command } from 'commander';
import { isFailed } from '../../../domain/outcome';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import { DATABASE_VERSION_COLUMNS, versionRows } from './schema-outcomes';

/** `cellctl api-db version`: the API database's Nova schema revision. */
export function apiDbVersionCommand(ctx: CliContext): Command {
  const command = new Command('version').description("show the API database's Nova schema revision and its status");
  declareColumns(command, DATABASE_VERSION_COLUMNS);
  return defineAction(ctx, command, [{ code: 0, meaning: 'the revision was read' }], async () => {
    const { apiSchemaTarget, inspectSchemas } = await ctx.services();
    const dbs = await ctx.databases();
    const [outcome] = await inspectSchemas(dbs, [apiSchemaTarget(dbs)]);
    if (isFailed(outcome)) throw outcome.error;
    ctx.printObject(versionRows(ctx, [outcome]).rows[0], DATABASE_VERSION_COLUMNS);
  });
}
