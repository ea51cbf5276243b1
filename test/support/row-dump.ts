/** Every row of every table of a database, for "nothing changed" assertions. */
import type { Kysely } from 'kysely';
import type { AnyDatabaseHandle } from '../../src/db/connection';

/** Table name -> its rows as JSON text, sorted (so the dump does not depend on read order). */
export async function dumpRows(handle: AnyDatabaseHandle): Promise<Record<string, string[]>> {
  const db = handle.db as Kysely<any>;
  const dump: Record<string, string[]> = {};
  for (const table of await handle.adapter.listTables(db)) {
    const rows = await db.selectFrom(table).selectAll().execute();
    dump[table] = rows.map((row) => JSON.stringify(row, (_key, value) => (typeof value === 'bigint' ? String(value) : value))).sort();
  }
  return dump;
}
