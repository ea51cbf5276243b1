import { databaseNameOf, replaceDatabaseName } from './database-url';
import { InvalidOptionError, InvalidUrlError } from './errors';

/**
 * Derives cell0's database URL from the `[database]` connection: `_cell0` appended to the
 * database name (SQLite: to the file's stem, `nova.sqlite` -> `nova_cell0.sqlite`), every other
 * character kept, percent-encoding included (Nova's map_cell0 unquotes it and loses escapes).
 * Throws InvalidOptionError when the name already ends in `_cell0` (it would make
 * `nova_cell0_cell0`) and InvalidUrlError when the URL names no database.
 */
export function deriveCell0DatabaseUrl(databaseConnection: string): string {
  const name = databaseNameOf(databaseConnection);
  if (!name) throw new InvalidUrlError('the [database] connection names no database to derive cell0\'s from: pass --database-connection');
  const slash = name.lastIndexOf('/');
  const dir = name.slice(0, slash + 1);
  const file = name.slice(slash + 1);
  const dot = file.lastIndexOf('.');
  const isSqliteFile = name.includes('/') || dot > 0;
  const stem = isSqliteFile && dot > 0 ? file.slice(0, dot) : file;
  const extension = isSqliteFile && dot > 0 ? file.slice(dot) : '';
  if (stem.endsWith('_cell0')) {
    throw new InvalidOptionError(
      `the [database] connection already names a cell0 database (${stem}); appending _cell0 would give ${stem}_cell0: pass --database-connection`,
    );
  }
  return replaceDatabaseName(databaseConnection, `${dir}${stem}_cell0${extension}`);
}
