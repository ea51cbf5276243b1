import type { Kysely } from 'kysely';
import { findCellMappingsByUuidOrName, listCellMappings } from '../db/api/cell-mapping.repository';
import type { ApiDatabase, CellMappingsRow } from '../db/api/api-tables.generated';
import { fromDbBoolean } from '../db/dialect';
import { type Cell, describeCell } from '../domain/cell';
import { AmbiguousCellError, CellNotFoundError } from '../domain/errors';
import type { DatabaseContext } from './database-context.service';

/** A cell mapping row as the services' Cell (booleans decoded, camelCase). */
export function cellFromRow(row: CellMappingsRow): Cell {
  return {
    id: row.id,
    uuid: row.uuid,
    name: row.name,
    transportUrl: row.transport_url,
    databaseConnection: row.database_connection,
    disabled: fromDbBoolean(row.disabled),
  };
}

/** Every mapped cell, cell0 included, in id order. */
export async function listCells(dbs: DatabaseContext): Promise<Cell[]> {
  const { db } = await dbs.api();
  return (await listCellMappings(db)).map(cellFromRow);
}

/**
 * Finds the one cell a user means by `ref` on a given API connection: a UUID, else a name.
 * Throws CellNotFoundError or, when a name is shared, AmbiguousCellError naming every candidate.
 */
export async function findCell(db: Kysely<ApiDatabase>, ref: string): Promise<Cell> {
  const rows = (await findCellMappingsByUuidOrName(db, ref)).map(cellFromRow);
  const byUuid = rows.find((c) => c.uuid === ref);
  if (byUuid) return byUuid;
  if (rows.length === 1) return rows[0];
  if (rows.length > 1) {
    throw new AmbiguousCellError(`cell name '${ref}' matches ${rows.length} cells: ${rows.map(describeCell).join(', ')}; use the UUID`);
  }
  const known = (await listCellMappings(db)).map(cellFromRow);
  const hint = known.length ? `known cells: ${known.map(describeCell).join(', ')}` : 'no cells are mapped yet';
  throw new CellNotFoundError(`no cell has the name or UUID '${ref}' (${hint})`);
}

/** findCell on the context's API database (both exit 127 when the cell cannot be told). */
export async function resolveCell(dbs: DatabaseContext, ref: string): Promise<Cell> {
  return findCell((await dbs.api()).db, ref);
}
