import type { Cell } from '../domain/cell';
import { valueOrThrow } from '../domain/outcome';
import { MissingCellUrlError } from '../domain/errors';
import { listCells } from './cell-lookup.service';
import { createCell, validateTransportUrl, type CellPolicy } from './cell.service';
import { setupCell0, type SetupCell0Result } from './cell0.service';
import type { DatabaseContext } from './database-context.service';
import { discoverHosts, type DiscoverHostsResult } from './host.service';
import { syncSchemas, type SyncSchemaResult } from './schema.service';

/** What simple-cell-setup did, step by step. */
export interface SimpleCellSetupResult {
  cell0: SetupCell0Result;
  cell: Cell;
  cellAction: 'created' | 'exists';
  schema: SyncSchemaResult;
  /** Undefined in a dry run that would create the cell (there is nothing to scan yet). */
  discovery?: DiscoverHostsResult;
  dryRun: boolean;
}

/**
 * A whole deployment in one step: cell0 (mapped, schema created), one cell for the configured
 * `[database]` (reused when a cell already maps that database, else created with the rules' name), its
 * schema, and its hosts discovered. Idempotent on an existing deployment; unlike Nova, a fresh
 * install with no compute hosts yet is not an error (`discovery.mapped` is then empty). Every
 * step runs first as a dry run, so a refusal (duplicate, foreign schema) writes nothing. Throws
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
  const existing = (await listCells(dbs)).find((c) => c.databaseConnection && dbs.renderDatabaseUrl(c.databaseConnection) === rendered);

  // Every step first as a dry run (each makes all its checks), so a refusal writes nothing.
  const steps = async (dryRun: boolean): Promise<SimpleCellSetupResult> => {
    const cell0 = await setupCell0(dbs, { dryRun }, policy.rules);
    const name = policy.rules.simpleSetupCellName ?? '';
    const cell = existing ?? (await createCell(dbs, { name, databaseConnection, transportUrl, dryRun }, policy)).cell;
    const [outcome] = await syncSchemas(dbs, [{ kind: 'cell', cell, database: rendered }], { dryRun });
    const discovery = dryRun && !existing ? undefined : await discoverHosts(dbs, { cell: cell.uuid, dryRun, rules: policy.rules });
    return { cell0, cell, cellAction: existing ? 'exists' : 'created', schema: valueOrThrow(outcome), discovery, dryRun };
  };
  const plan = await steps(true);
  return input.dryRun ? plan : steps(false);
}
