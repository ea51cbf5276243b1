import { findCellMappingByUuid, insertCellMapping, listCellMappings } from '../db/api/cell-mapping.repository';
import { newCellMappingRow } from '../db/api/new-api-rows';
import { inTransaction } from '../db/unit-of-work';
import type { Cell } from '../domain/cell';
import { valueOrThrow } from '../domain/outcome';
import { deriveCell0DatabaseUrl } from '../domain/cell0-url';
import { CELL0_NAME, CELL0_TRANSPORT_URL, CELL0_UUID } from '../domain/constants';
import { CellWithoutDatabaseError, MissingCellUrlError } from '../domain/errors';
import { cellFromRow, cellRef } from './cell-lookup.service';
import { assertNoCellConflict, CELLS_LOCK, checkCellValues } from './cell.service';
import type { DatabaseContext } from './database-context.service';
import type { Rules } from './rules';
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
 * does) and its schema synced. Throws MissingCellUrlError without a URL, Cell0UrlError for a
 * `[database]` already named `_cell0`, UnstorableValueError for a URL cell_mappings cannot hold,
 * DuplicateCellError when another cell uses the database,
 * and the schema errors of syncSchemas (a refused schema leaves cell0 unmapped).
 */
export async function setupCell0(
  dbs: DatabaseContext,
  input: { databaseConnection?: string; dryRun?: boolean },
  rules: Rules,
  now = new Date(),
): Promise<SetupCell0Result> {
  // A URL given is checked before anything is opened, even when cell0 exists and it goes unused.
  if (input.databaseConnection !== undefined) {
    checkCellValues({ databaseConnection: input.databaseConnection }, rules);
    dbs.checkUrl('cell', input.databaseConnection);
  }
  const api = await dbs.api();
  const existing = await findCellMappingByUuid(api.db, CELL0_UUID);
  let cell: Cell;
  if (existing) {
    cell = cellFromRow(existing);
  } else {
    const local = dbs.localDatabaseConnection;
    if (input.databaseConnection === undefined && !local) throw new MissingCellUrlError('database_connection');
    const databaseConnection = input.databaseConnection ?? deriveCell0DatabaseUrl(local!);
    checkCellValues({ databaseConnection }, rules);
    dbs.checkUrl('cell', databaseConnection);
    cell = { id: 0, uuid: CELL0_UUID, name: CELL0_NAME, transportUrl: CELL0_TRANSPORT_URL, databaseConnection, disabled: false };
    assertNoCellConflict(dbs, { defaults: {}, rules }, (await listCellMappings(api.db)).map(cellFromRow), { databaseConnection });
  }
  if (!cell.databaseConnection) throw new CellWithoutDatabaseError(cellRef(cell));
  const [outcome] = await syncSchemas(dbs, [{ kind: 'cell', cell, database: dbs.cellDatabaseUrl(cell) }], { dryRun: input.dryRun });
  const schema = valueOrThrow(outcome);
  if (existing || input.dryRun) return { cell, action: existing ? 'exists' : 'created', schema, dryRun: Boolean(input.dryRun) };

  // The schema exists first, then the mapping: a failure in between is repaired by a re-run.
  const created = await inTransaction(
    api,
    async (tx) => {
      if (await findCellMappingByUuid(tx, CELL0_UUID)) return false;
      cell.id = await insertCellMapping(
        tx,
        newCellMappingRow({ uuid: CELL0_UUID, name: CELL0_NAME, transport_url: CELL0_TRANSPORT_URL, database_connection: cell.databaseConnection }, now),
      );
      return true;
    },
    { lock: CELLS_LOCK },
  );
  if (!created) cell = cellFromRow((await findCellMappingByUuid(api.db, CELL0_UUID))!);
  return { cell, action: created ? 'created' : 'exists', schema, dryRun: false };
}
