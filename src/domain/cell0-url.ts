import { databaseNameOf, replaceDatabaseName } from './database-url';
import { Cell0UrlError } from './errors';

/**
 * Derives cell0's database URL from the `[database]` connection: `_cell0` appended to the
 * database name (SQLite: to the file's stem, `nova.sqlite` -> `nova_cell0.sqlite`), every other
 * character kept, percent-encoding included (Nova's map_cell0 unquotes it and loses escapes).
 * Throws Cell0UrlError when the name already ends in `_cell0` (it would make
 * `nova_cell0_cell0`) or the URL names no database.
 */
export function deriveCell0DatabaseUrl(databaseConnection: string): string {
  const name = databaseNameOf(databaseConnection);
  if (!name) throw new Cell0UrlError('no-database-name');
  const slash = name.lastIndexOf('/');
  const dir = name.slice(0, slash + 1);
  const file = name.slice(slash + 1);
  const dot = file.lastIndexOf('.');
  const isSqliteFile = name.includes('/') || dot > 0;
  const stem = isSqliteFile && dot > 0 ? file.slice(0, dot) : file;
  const extension = isSqliteFile && dot > 0 ? file.slice(dot) : '';
  if (stem.endsWith('_cell0')) throw new Cell0UrlError('already-cell0', stem);
  return replaceDatabaseName(databaseConnection, `${dir}${stem}_cell0${extension}`);
}
