/**
 * Which of Nova's two databases a database holds, judged by its tables alone (any Nova release):
 * the API database has `cell_mappings` and no `instances`; a cell database the reverse.
 */

/** What a database holds: nothing at all, Nova's API database, a Nova cell database, or something else. */
export type NovaDatabaseKind = 'empty' | 'api' | 'cell' | 'other';

/** The table only Nova's API database has. */
export const API_MARKER_TABLE = 'cell_mappings';
/** The table only a Nova cell database has. */
export const CELL_MARKER_TABLE = 'instances';

/** Returns what a database with these tables holds. Pure; throws nothing. */
export function novaDatabaseKind(tables: readonly string[]): NovaDatabaseKind {
  if (tables.length === 0) return 'empty';
  const api = tables.includes(API_MARKER_TABLE);
  const cell = tables.includes(CELL_MARKER_TABLE);
  if (api && !cell) return 'api';
  if (cell && !api) return 'cell';
  return 'other';
}
