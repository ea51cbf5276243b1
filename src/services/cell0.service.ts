import { findCellMappingByUuid, insertCellMapping, listCellMappings } from '../db/api/cell-mapping.repository';
import { withDatabaseLock } from '../db/database-lock';
import { toDbTimestamp } from '../db/dialect';
import type { Cell } from '../domain/cell';
import { deriveCell0DatabaseUrl } from '../domain/cell0-url';
import { CELL0_NAME, CELL0_TRANSPORT_URL, CELL0_UUID } from '../domain/constants';
import { DuplicateCellError, MissingSettingError } from '../domain/errors';
import { cellFromRow } from './cell-lookup.service';
import { CELLS_LOCK, CELLS_LOCK_TIMEOUT_SECONDS, findCellConflict } from './cell.service';
import type { DatabaseContext } from './database-context.service';
import { syncSchemas, type SyncSchemaResult } from './schema.service';

/** The outcome of setting up cell0: its mapping (new or existing) and its schema sync. */
export interface SetupCell0Result {
  cell: Cell;
  /** `exists`: cell0 was already mapped (Nova: "Cell0 is already setup"); its mapping is kept as is. */
  action: 'created' | 'exists';
  schema: SyncSchemaResult;
  dryRun: boolean;
}

/**
 * Maps cell0 (fixed UUID, name `cell0`, transport `none:///`) and creates its schema. The
 * database defaults to `[database] connection` with `_cell0` appended to the database name.
 * Idempotent: an existing cell0 mapping is kept (a different URL given is ignored, as Nova
 * does) and its schema synced. Throws MissingSettingError without a URL, InvalidOptionError for a
 * `[database]` already named `_cell0`, DuplicateCellError when another cell uses the database,
 * and the schema errors of syncSchemas (a refused schema leaves cell0 unmapped).
 */
export async function setupCell0(
  dbs: DatabaseContext,
  input: { databaseConnection?: string; dryRun?: boolean },
  now = new Date(),
): Promise<SetupCell0Result> {
  const api = await dbs.api();
  const existing = await findCellMappingByUuid(api.db, CELL0_UUID);
  let cell: Cell;
  if (existing) {
    cell = cellFromRow(existing);
  } else {
    const local = dbs.localDatabaseConnection;
    if (input.databaseConnection === undefined && !local) {
      throw new MissingSettingError("no database URL for cell0: pass --database-connection or set [database] connection");
    }
    const databaseConnection = input.databaseConnection ?? deriveCell0DatabaseUrl(local!);
    dbs.checkUrl('cell', databaseConnection);
    cell = { id: 0, uuid: CELL0_UUID, name: CELL0_NAME, transportUrl: CELL0_TRANSPORT_URL, databaseConnection, disabled: false };
    const conflict = findCellConflict(dbs, {}, (await listCellMappings(api.db)).map(cellFromRow), { databaseConnection });
    if (conflict) throw new DuplicateCellError(conflict);
  }
  const target = { kind: 'cell' as const, cell, connection: cell.databaseConnection ?? '' };
  if (!target.connection) throw new MissingSettingError('cell0 is mapped without a database_connection: fix it with cell update');
  const [outcome] = await syncSchemas(dbs, [target], { dryRun: input.dryRun });
  if (outcome.error) throw outcome.error;
  const schema = outcome.result!;
  if (existing || input.dryRun) return { cell, action: existing ? 'exists' : 'created', schema, dryRun: Boolean(input.dryRun) };

  // The schema exists first, then the mapping: a failure in between is repaired by a re-run.
  const created = await withDatabaseLock(api, CELLS_LOCK, CELLS_LOCK_TIMEOUT_SECONDS, async (db) => {
    if (await findCellMappingByUuid(db, CELL0_UUID)) return false;
    cell.id = await insertCellMapping(db, {
      uuid: CELL0_UUID,
      name: CELL0_NAME,
      transport_url: CELL0_TRANSPORT_URL,
      database_connection: cell.databaseConnection,
      disabled: 0,
      created_at: toDbTimestamp(now),
    });
    return true;
  });
  if (!created) cell = cellFromRow((await findCellMappingByUuid(api.db, CELL0_UUID))!);
  return { cell, action: created ? 'created' : 'exists', schema, dryRun: false };
}
