import type { Cell } from '../domain/cell';
import { MissingCellUrlError } from '../domain/errors';
import { listCells } from './cell-lookup.service';
import { createCell, validateTransportUrl, type CellDefaults } from './cell.service';
import { setupCell0, type SetupCell0Result } from './cell0.service';
import type { DatabaseContext } from './database-context.service';
import { discoverHosts, type DiscoverHostsResult } from './host.service';
import { syncSchemas, type SyncSchemaResult } from './schema.service';

/** The name simple-cell-setup gives the cell it creates (Nova leaves it unnamed). */
export const SIMPLE_SETUP_CELL_NAME = 'cell1';

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
 * `[database]` (reused when a cell already maps that database, else created as `cell1`), its
 * schema, and its hosts discovered. Idempotent on an existing deployment; unlike Nova, a fresh
 * install with no compute hosts yet is not an error (`discovery.mapped` is then empty). Every
 * step runs first as a dry run, so a refusal (duplicate, foreign schema) writes nothing. Throws
 * MissingCellUrlError/InvalidTransportUrlError (exit 1) and the errors of the steps it runs.
 */
export async function simpleCellSetup(
  dbs: DatabaseContext,
  input: { transportUrl?: string; dryRun?: boolean },
  defaults: CellDefaults,
): Promise<SimpleCellSetupResult> {
  const transportUrl = input.transportUrl ?? defaults.transportUrl;
  if (!transportUrl) throw new MissingCellUrlError('no transport URL: pass --transport-url or set [DEFAULT] transport_url');
  validateTransportUrl(dbs, transportUrl, defaults);
  const databaseConnection = dbs.localCellConnection();
  dbs.checkUrl('cell', databaseConnection);
  const rendered = dbs.renderDatabaseUrl(databaseConnection);
  const existing = (await listCells(dbs)).find((c) => c.databaseConnection && dbs.renderDatabaseUrl(c.databaseConnection) === rendered);

  // Every step first as a dry run (each makes all its checks), so a refusal writes nothing.
  const steps = async (dryRun: boolean): Promise<SimpleCellSetupResult> => {
    const cell0 = await setupCell0(dbs, { dryRun });
    const cell = existing ?? (await createCell(dbs, { name: SIMPLE_SETUP_CELL_NAME, databaseConnection, transportUrl, dryRun }, defaults)).cell;
    const [outcome] = await syncSchemas(dbs, [{ kind: 'cell', cell, connection: databaseConnection }], { dryRun });
    if (outcome.error) throw outcome.error;
    const discovery = dryRun && !existing ? undefined : await discoverHosts(dbs, { cell: cell.uuid, dryRun });
    return { cell0, cell, cellAction: existing ? 'exists' : 'created', schema: outcome.result!, discovery, dryRun };
  };
  const plan = await steps(true);
  return input.dryRun ? plan : steps(false);
}
