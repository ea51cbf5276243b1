import { SqliteDialect, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';
import { DatabaseClosedError, LockTimeoutError } from '../domain/errors';
import { isBusyError } from './dialect';

/** How long a statement on a locked SQLite database keeps trying, and what stops it early. */
export interface LockWait {
  timeoutMs: number;
  /** Aborted when the handle is closed (a cell that timed out): the wait ends at once. */
  signal: AbortSignal;
  /** The masked URL, for errors. */
  target: string;
  /**
   * When the database was first found locked with no statement getting through since: shared by
   * every statement of the handle, so statements queued behind one that waited do not wait again.
   */
  busySince?: number;
}

/**
 * Runs `attempt` again while SQLite answers "database is locked", pausing without blocking the
 * event loop, until `wait.timeoutMs` has passed (LockTimeoutError) or the handle is closed
 * (DatabaseClosedError). The wait counts from when the database was first found locked, by this
 * statement or one before it on the same handle, so a run of statements waits once, not once each.
 * A statement that met a lock changed nothing, so running it again is safe.
 */
export async function retryWhileBusy<T>(attempt: () => T | Promise<T>, wait: LockWait): Promise<T> {
  for (let pause = 2; ; pause = Math.min(pause * 2, 100)) {
    if (wait.signal.aborted) throw new DatabaseClosedError(wait.target);
    try {
      const result = await attempt();
      wait.busySince = undefined;
      return result;
    } catch (error) {
      if (!isBusyError(error)) throw error;
      wait.busySince ??= Date.now();
      const waited = Date.now() - wait.busySince;
      if (waited >= wait.timeoutMs) throw new LockTimeoutError(wait.target, 'write lock', wait.timeoutMs, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, wait.timeoutMs - waited)));
    }
  }
}

/**
 * Kysely's SQLite dialect with SQLite's own busy handler replaced by retryWhileBusy:
 * better-sqlite3 is synchronous, so its busy timeout would block the whole process while one file
 * is locked, and no other cell's work or timer could run (a locked cell stalled every other one).
 */
export class WaitingSqliteDialect extends SqliteDialect {
  constructor(
    config: SqliteDialectConfig,
    private readonly wait: LockWait,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    const acquire = driver.acquireConnection.bind(driver);
    driver.acquireConnection = async (): Promise<DatabaseConnection> => {
      const connection = await acquire();
      return {
        executeQuery: (query) => retryWhileBusy(() => connection.executeQuery(query), this.wait),
        streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
      };
    };
    return driver;
  }
}
