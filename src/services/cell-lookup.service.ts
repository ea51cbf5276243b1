import type { Kysely } from 'kysely';
import { listCellMappings } from '../db/api/cell-mapping.repository';
import type { ApiDatabase, CellMappingsRow } from '../db/api/api-tables.generated';
import { fromDbBoolean } from '../db/dialect';
import { type Cell, cellsNamed } from '../domain/cell';
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
 * Finds the one cell a user means by `ref` on a given API connection: a UUID (in any case), else
 * a name as cellsNamed matches it (exactly, else as MySQL's collation compares names). Compared
 * here, not in SQL, so both dialects agree (cell_mappings is small). Throws CellNotFoundError
 * (with the known cells) or, when the name addresses several cells, AmbiguousCellError.
 */
export async function findCell(db: Kysely<ApiDatabase>, ref: string): Promise<Cell> {
  const cells = (await listCellMappings(db)).map(cellFromRow);
  return pickCell(cells, ref);
}

/** findCell over cells already read (the same rules, the same errors). */
export function pickCell(cells: Cell[], ref: string): Cell {
  const byUuid = cells.find((c) => c.uuid.toLowerCase() === ref.toLowerCase());
  if (byUuid) return byUuid;
  const named = cellsNamed(cells, ref);
  if (named.length === 1) return named[0];
  if (named.length > 1) throw new AmbiguousCellError(ref, named.map(cellRef));
  throw new CellNotFoundError(ref, cells.map(cellRef));
}

/** findCell on the context's API database. */
export async function resolveCell(dbs: DatabaseContext, ref: string): Promise<Cell> {
  return findCell((await dbs.api()).db, ref);
}
