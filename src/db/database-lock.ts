import { sql, type Kysely } from 'kysely';
import type { DatabaseHandle } from './connection';
import { isRetryableTransactionError } from './dialect';

async function inTransaction<DB, T>(conn: Kysely<DB>, begin: string, work: (db: Kysely<DB>) => Promise<T>): Promise<T> {
  await sql.raw(begin).execute(conn);
  try {
    const result = await work(conn);
    await sql`COMMIT`.execute(conn);
    return result;
  } catch (error) {
    await sql`ROLLBACK`.execute(conn).catch(() => undefined);
    throw error;
  }
}

/**
 * Runs `work` as one transaction on one connection while holding a named exclusive lock of the
 * database, so check-then-write sequences of concurrent cellctl runs never interleave: SQLite's
 * BEGIN IMMEDIATE, or MySQL's GET_LOCK around BEGIN (released in `finally`). Rolled back if `work`
 * throws (MySQL DDL commits implicitly; callers that create tables clean up themselves). Waits
 * up to `timeoutSeconds`; throws when the lock cannot be had. Inside `work`, use only its `db`.
 */
export async function withDatabaseLock<DB, T>(
  handle: DatabaseHandle<DB>,
  lockName: string,
  timeoutSeconds: number,
  work: (db: Kysely<DB>) => Promise<T>,
): Promise<T> {
  return handle.db.connection().execute(async (conn) => {
    if (handle.dialect === 'sqlite') return inTransaction(conn, 'BEGIN IMMEDIATE', work);
    // NOTE: GET_LOCK names are server-wide: qualify them with the database.
    const name = `cellctl:${handle.url.dialect === 'mysql' ? handle.url.database : ''}:${lockName}`.slice(0, 64);
    const { rows } = await sql<{ got: number | null }>`SELECT GET_LOCK(${name}, ${timeoutSeconds}) AS got`.execute(conn);
    if (Number(rows[0]?.got) !== 1) throw new Error(`timed out after ${timeoutSeconds}s waiting for the lock ${name}`);
    try {
      return await inTransaction(conn, 'BEGIN', work);
    } finally {
      await sql`SELECT RELEASE_LOCK(${name})`.execute(conn).catch(() => undefined);
    }
  });
}

const TRANSACTION_ATTEMPTS = 8;

/**
 * Runs `work` in a transaction, running it again (after a short random pause) when it fails only
 * because of a concurrent transaction (deadlock, lock wait, Galera conflict, SQLite busy). `work`
 * must be safe to repeat: everything it did is rolled back before a retry.
 */
export async function inRetriedTransaction<DB, T>(db: Kysely<DB>, work: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      if (attempt >= TRANSACTION_ATTEMPTS || !isRetryableTransactionError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * attempt));
    }
  }
}
