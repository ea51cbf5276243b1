import type { Kysely } from 'kysely';
import { findCellMappingsByUuidOrName, listCellMappings } from '../db/api/cell-mapping.repository';
import type { ApiDatabase, CellMappingsRow } from '../db/api/api-tables.generated';
import { fromDbBoolean } from '../db/dialect';
import type { Cell } from '../domain/cell';
import { AmbiguousCellError, CellNotFoundError, type CellRef } from '../domain/errors';
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

/** A cell as errors and events name it. */
export function cellRef(cell: Pick<Cell, 'uuid' | 'name'>): CellRef {
  return { uuid: cell.uuid, name: cell.name };
}

/**
 * Orders text by code unit, as Python's sorted() orders Nova's listings (`B-cell` before
 * `a-cell`); SQL collations differ between MySQL (case-insensitive) and SQLite (binary), so every
 * listing sorts here, never in SQL or with locale rules.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every mapped cell, cell0 included, in id order. */
export async function listCells(dbs: DatabaseContext): Promise<Cell[]> {
  const { db } = await dbs.api();
  return (await listCellMappings(db)).map(cellFromRow);
}

/** Every mapped cell sorted for a listing: by name (unnamed first, as Nova's list_cells), then UUID. */
export async function listCellsByName(dbs: DatabaseContext): Promise<Cell[]> {
  return (await listCells(dbs)).sort((a, b) => compareText(a.name ?? '', b.name ?? '') || compareText(a.uuid, b.uuid));
}

/**
 * Finds the one cell a user means by `ref` on a given API connection: a UUID, else a name.
 * Throws CellNotFoundError (with the known cells) or, when a name is shared, AmbiguousCellError.
 */
export async function findCell(db: Kysely<ApiDatabase>, ref: string): Promise<Cell> {
  const rows = (await findCellMappingsByUuidOrName(db, ref)).map(cellFromRow);
  const byUuid = rows.find((c) => c.uuid === ref);
  if (byUuid) return byUuid;
  if (rows.length === 1) return rows[0];
  if (rows.length > 1) throw new AmbiguousCellError(ref, rows.map(cellRef));
  throw new CellNotFoundError(ref, (await listCellMappings(db)).map(cellFromRow).map(cellRef));
}

/** findCell on the context's API database. */
export async function resolveCell(dbs: DatabaseContext, ref: string): Promise<Cell> {
  return findCell((await dbs.api()).db, ref);
}
