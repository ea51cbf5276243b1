import { Command } from 'commander';
import { DuplicateCellError, SchemaRefusedError } from '../../../domain/errors';
import { dryRunOption } from '../../modern/options';
import type { CliContext } from '../../cli-context';
import { defineAction } from '../../command-kit';
import type { SyncSchemaResult } from '../../../services/schema.service';

/** How cell0 setup words what its schema sync did. */
const SCHEMA_ACTION_TEXT: Record<SyncSchemaResult['action'], string> = {
  unchanged: 'already at',
  created: 'created at',
  completed: 'completed (it was partial) at',
  'would-create': 'would be created at',
  'would-complete': 'would be completed (it is partial) at',
};

/** `cellctl cell0 setup`: map cell0 and create its schema. */
export function cell0SetupCommand(ctx: CliContext): Command {
  const command = new Command('setup')
    .description("map cell0 (fixed UUID, transport none:///) and create its schema; prints cell0's UUID. Idempotent: 'Cell0 is already setup'")
    .option('--database-connection <url>', 'cell0 database URL (default: [database] connection with _cell0 appended to the database name)')
    .addOption(dryRunOption('report, write nothing'));
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: "cell0 is mapped and its schema at Nova's revision (created now, or already: 'Cell0 is already setup')" },
      { code: 2, meaning: "another cell uses the database: 'already exists' and its UUID", errors: [DuplicateCellError] },
      { code: 3, meaning: "cell0's database holds another schema (nothing written)", errors: [SchemaRefusedError] },
      { code: 127, meaning: 'invalid input, including a [database] name that already ends in _cell0 (pass --database-connection)' },
    ],
    async (options: { databaseConnection?: string; dryRun?: boolean }) => {
      const { setupCell0 } = await ctx.services();
      const result = await setupCell0(await ctx.databases(), options, await ctx.rules());
      if (result.action === 'exists') ctx.notice('Cell0 is already setup');
      const schema = `${result.schema.createsDatabase ? 'database and ' : ''}schema ${SCHEMA_ACTION_TEXT[result.schema.action]} ${result.schema.revision}`;
      ctx.notice(`cell0 ${ctx.displayUrl(result.cell.databaseConnection)}: ${result.dryRun && result.action === 'created' ? 'would be mapped' : result.action === 'created' ? 'mapped' : 'kept'}, ${schema}`);
      if (!result.dryRun) ctx.out(`${result.cell.uuid}\n`);
    },
  );
}
