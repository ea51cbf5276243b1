import { sql, type Kysely } from 'kysely';
import { LockTimeoutError } from '../domain/errors';
import type { DatabaseHandle } from './connection';
import { isDriverError, isRetryableTransactionError, translateDriverError } from './dialect';

declare const IN_TRANSACTION: unique symbol;

/**
 * A database inside a unit of work: one connection with an open transaction. Repositories whose
 * writes must be atomic with others take a `Tx` instead of a plain Kysely, so the compiler says
 * when one is called outside a unit of work.
 */
export type Tx<DB> = Kysely<DB> & { readonly [IN_TRANSACTION]: true };

/** Options of a unit of work. */
export interface UnitOfWorkOptions {
  /**
   * A named lock of the database held around the transaction, so check-then-write sequences of
   * concurrent cellctl runs never interleave (MySQL GET_LOCK; SQLite's write transaction is itself
   * exclusive). Waits up to the handle's lock wait, then throws LockTimeoutError.
   */
  lock?: string;
  /**
   * Run the work again when it failed only because it met a concurrent transaction (deadlock,
   * lock wait, Galera certification conflict, SQLite busy), with a growing random pause, for up to
   * RETRY_BUDGET_MS. The work must be safe to repeat: everything it did is rolled back first.
   */
  retry?: boolean;
}

/** How long a unit of work keeps retrying conflicts with concurrent transactions. */
export const RETRY_BUDGET_MS = 30_000;

/**
 * The one way cellctl writes atomically: runs `work` in a write transaction on one connection of
 * `handle` (SQLite: BEGIN IMMEDIATE, so the write lock is taken before anything is read), commits
 * it, or rolls it back and rethrows. MySQL DDL commits implicitly (see DialectAdapter.transactionalDdl):
 * tables created before a failure stay. Driver errors come out typed.
 */
export async function inTransaction<DB, T>(handle: DatabaseHandle<DB>, work: (tx: Tx<DB>) => Promise<T>, options: UnitOfWorkOptions = {}): Promise<T> {
  const { adapter } = handle;
  try {
    return await handle.db.connection().execute(async (conn) => {
      const release = options.lock === undefined ? undefined : await adapter.acquireNamedLock(conn, options.lock, handle.lockWaitMs);
      if (options.lock !== undefined && !release) throw new LockTimeoutError(handle.target, `lock '${options.lock}'`, adapter.namedLockWaitMs(handle.lockWaitMs));
      try {
        const started = Date.now();
        for (let attempt = 1; ; attempt += 1) {
          try {
            return await once(conn, adapter.beginWrite, work);
          } catch (error) {
            if (!options.retry || !isRetryableTransactionError(error) || Date.now() - started > RETRY_BUDGET_MS) throw error;
            // NOTE: exponential backoff with full jitter, so two runs that keep meeting drift apart.
            await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(1000, 10 * 2 ** attempt)));
          }
        }
      } finally {
        await release?.();
      }
    });
  } catch (error) {
    throw isDriverError(error) ? translateDriverError(error, handle.target) : error;
  }
}

async function once<DB, T>(conn: Kysely<DB>, begin: string, work: (tx: Tx<DB>) => Promise<T>): Promise<T> {
  await sql.raw(begin).execute(conn);
  try {
    const result = await work(conn as Tx<DB>);
    await sql`COMMIT`.execute(conn);
    return result;
  } catch (error) {
    await sql`ROLLBACK`.execute(conn).catch(() => undefined);
    throw error;
  }
}
