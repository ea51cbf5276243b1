import type { Cell } from '../domain/cell';
import { valueOrThrow } from '../domain/outcome';
import { MissingCellUrlError } from '../domain/errors';
import { listCells } from './cell-lookup.service';
import { checkCellValues, createCell, validateTransportUrl, type CellPolicy } from './cell.service';
import { setupCell0, type SetupCell0Result } from './cell0.service';
import type { DatabaseContext } from './database-context.service';
import { discoverHosts, type DiscoverHostsResult } from './host.service';
import { apiSchemaTarget, syncSchemas, type SyncSchemaResult } from './schema.service';
import { deriveCell0DatabaseUrl } from '../domain/cell0-url';
import { CELL0_NAME, CELL0_TRANSPORT_URL, CELL0_UUID } from '../domain/constants';

/** What simple-cell-setup did, step by step. */
export interface SimpleCellSetupResult {
  /** The API database's schema: created (or completed) first when it had none, else unchanged. */
  apiSchema: SyncSchemaResult;
  cell0: SetupCell0Result;
  cell: Cell;
  cellAction: 'created' | 'exists';
  schema: SyncSchemaResult;
  /** Undefined in a dry run that would create the cell (there is nothing to scan yet). */
  discovery?: DiscoverHostsResult;
  dryRun: boolean;
}

/**
 * A whole deployment in one step: the API schema (created when the API database has none), cell0 (mapped, schema created), one cell for the configured
 * `[database]` (reused when a cell already maps that database, else created with the rules' name), its
 * schema, and its hosts discovered. Idempotent on an existing deployment; unlike Nova, a fresh
 * install with no compute hosts yet is not an error (`discovery.mapped` is then empty). Every
 * step runs first as a dry run, so a refusal (duplicate, foreign schema) writes nothing; when the
 * API schema is still to be created, the cell0 and cell databases are checked before it is. Throws
 * MissingCellUrlError/InvalidTransportUrlError (exit 1) and the errors of the steps it runs.
 */
export async function simpleCellSetup(
  dbs: DatabaseContext,
  input: { transportUrl?: string; dryRun?: boolean },
  policy: CellPolicy,
): Promise<SimpleCellSetupResult> {
  const transportUrl = input.transportUrl ?? policy.defaults.transportUrl;
  if (!transportUrl) throw new MissingCellUrlError('transport_url');
  validateTransportUrl(dbs, transportUrl, policy);
  const databaseConnection = dbs.localCellConnection();
  dbs.checkUrl('cell', databaseConnection);
  const rendered = dbs.renderDatabaseUrl(databaseConnection);
  const name = policy.rules.simpleSetupCellName ?? '';

  const apiTarget = apiSchemaTarget(dbs);
  let apiSchema = valueOrThrow((await syncSchemas(dbs, [apiTarget], { dryRun: true }))[0]);
  if (apiSchema.action !== 'unchanged') {
    // No API schema yet, so no cell mapping to read: what the later steps write to is checked
    // first (values, URLs, the two cell databases' schemas), so that a refusal writes nothing.
    const cell0Connection = deriveCell0DatabaseUrl(databaseConnection);
    checkCellValues({ name, databaseConnection, transportUrl }, policy.rules);
    checkCellValues({ databaseConnection: cell0Connection }, policy.rules);
    dbs.checkUrl('cell', cell0Connection);
    const cell0 = newCell0(cell0Connection);
    const [cell0Schema, cellSchema] = (
      await syncSchemas(
        dbs,
        [
          { kind: 'cell', cell: cell0, database: dbs.cellDatabaseUrl(cell0) },
          { kind: 'cell', cell: null, database: rendered },
        ],
        { dryRun: true },
      )
    ).map(valueOrThrow);
    if (input.dryRun) {
      const cell: Cell = { id: 0, uuid: '', name, transportUrl, databaseConnection, disabled: false };
      return { apiSchema, cell0: { cell: cell0, action: 'created', schema: cell0Schema, dryRun: true }, cell, cellAction: 'created', schema: cellSchema, dryRun: true };
    }
    apiSchema = valueOrThrow((await syncSchemas(dbs, [apiTarget]))[0]);
  }
  const existing = (await listCells(dbs)).find((c) => c.databaseConnection && dbs.renderDatabaseUrl(c.databaseConnection) === rendered);

  // Every step first as a dry run (each makes all its checks), so a refusal writes nothing.
  const steps = async (dryRun: boolean): Promise<SimpleCellSetupResult> => {
    const cell0 = await setupCell0(dbs, { dryRun }, policy.rules);
    const cell = existing ?? (await createCell(dbs, { name, databaseConnection, transportUrl, dryRun }, policy)).cell;
    const [outcome] = await syncSchemas(dbs, [{ kind: 'cell', cell, database: rendered }], { dryRun });
    const discovery = dryRun && !existing ? undefined : await discoverHosts(dbs, { cell: cell.uuid, dryRun, rules: policy.rules });
    return { apiSchema, cell0, cell, cellAction: existing ? 'exists' : 'created', schema: valueOrThrow(outcome), discovery, dryRun };
  };
  const plan = await steps(true);
  return input.dryRun ? plan : steps(false);
}

/** cell0's mapping as setupCell0 would create it for `databaseConnection` (not stored). */
function newCell0(databaseConnection: string): Cell {
  return { id: 0, uuid: CELL0_UUID, name: CELL0_NAME, transportUrl: CELL0_TRANSPORT_URL, databaseConnection, disabled: false };
}
