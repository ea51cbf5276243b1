import { Command } from 'commander';
import { describeCell } from '../../../domain/cell';
import { isFailed } from '../../../domain/outcome';
import { DuplicateCellError, InvalidTransportUrlError, MissingCellUrlError, SchemaRefusedError } from '../../../domain/errors';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import type { ColumnSpec } from '../../output/output-format';
import { dryRunOption } from '../../modern/options';
import { SCHEDULER_CACHE_NOTE } from '../cell/cell-output';
import { syncNoticeText } from '../db/schema-outcomes';

/** The rows of `simple-cell-setup` (a public contract: docs/commands.md). */
const SETUP_COLUMNS: ColumnSpec[] = [{ key: 'name' }, { key: 'uuid' }, { key: 'database_connection' }, { key: 'status' }, { key: 'error' }];

/** `cellctl simple-cell-setup`: cell0, one cell, schemas, hosts, in one idempotent step. */
export function simpleCellSetupCommand(ctx: CliContext): Command {
  const command = new Command('simple-cell-setup')
    .description(
      "set up a whole deployment: the API schema (when the API database has none), cell0, one cell for [database] (named cell1 when created), " +
        'the schemas of both, its hosts discovered. Idempotent; a fresh install without compute hosts is fine',
    )
    .option('--transport-url <url>', "the cell's message queue URL (default: [DEFAULT] transport_url)")
    .addOption(dryRunOption('report, write nothing'));
  declareColumns(command, SETUP_COLUMNS);
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'the deployment is set up (now, or already)' },
      { code: 1, meaning: 'no transport URL, or an invalid one', errors: [MissingCellUrlError, InvalidTransportUrlError] },
      { code: 2, meaning: "another cell already has the name cell1, the database or the transport URL: 'already exists' and its UUID", errors: [DuplicateCellError] },
      { code: 3, meaning: 'a database holds another schema (nothing written to it)', errors: [SchemaRefusedError] },
      { code: 255, meaning: 'a database could not be reached, or the cell could not be scanned for hosts' },
    ],
    async (options: { transportUrl?: string; dryRun?: boolean }) => {
      const { simpleCellSetup } = await ctx.services();
      const result = await simpleCellSetup(await ctx.databases(), options, await ctx.cellPolicy());
      const would = result.dryRun ? 'would be ' : '';
      const newDatabase = (schema: { createsDatabase?: boolean }) => (result.dryRun && schema.createsDatabase ? ' (its database would be created too)' : '');
      if (result.apiSchema.action !== 'unchanged') ctx.notice(`API database ${ctx.displayUrl(ctx.config().apiDatabaseConnection)}: ${syncNoticeText(result.apiSchema)}`);
      ctx.notice(result.cell0.action === 'exists' ? 'Cell0 is already setup' : `cell0 ${would}mapped: ${result.cell0.cell.uuid}${newDatabase(result.cell0.schema)}`);
      ctx.notice(
        result.cellAction === 'exists'
          ? `cell ${result.cell.name ?? result.cell.uuid} already maps [database] (${result.cell.uuid})`
          : `cell ${result.cell.name} ${would}created for [database]${result.dryRun ? newDatabase(result.schema) : ` (${result.cell.uuid})`}`,
      );
      const discovery = result.discovery;
      const failures = discovery?.outcomes.filter(isFailed) ?? [];
      failures.forEach((f) => ctx.error(f.error, `cell ${describeCell(f.item)}: `));
      const found = discovery?.mapped.map((m) => m.host) ?? [];
      if (found.length) ctx.notice(`hosts ${would}mapped: ${found.join(', ')}`);
      else if (discovery) ctx.notice('no new compute hosts to map: run `cellctl host discover` when new nova-compute services have registered');
      if (!result.dryRun) {
        // The cell's row carries how its host discovery ended (cell0 has no hosts to discover).
        const scan = discovery?.outcomes.find((o) => o.item.uuid === result.cell.uuid);
        ctx.printList(
          [
            { cell: result.cell0.cell, status: 'ok', error: null },
            { cell: result.cell, status: scan?.status ?? 'ok', error: scan ? ctx.outcomeError(scan) : null },
          ].map(({ cell, status, error }) => ({ name: cell.name, uuid: cell.uuid, database_connection: ctx.displayUrl(cell.databaseConnection), status, error })),
          SETUP_COLUMNS,
        );
        if (result.cell0.action === 'created' || result.cellAction === 'created' || found.length) ctx.notice(SCHEDULER_CACHE_NOTE);
      }
      return failures.length ? 255 : 0;
    },
  );
}
