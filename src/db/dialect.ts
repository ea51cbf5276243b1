import {
  CellctlError,
  DatabaseClosedError,
  DatabaseAccessDeniedError,
  DatabaseError,
  DatabaseUnreachableError,
  LockTimeoutError,
} from '../domain/errors';

/** Writes a boolean the way both drivers accept it (better-sqlite3 refuses JS booleans). */
export function toDbBoolean(value: boolean): 0 | 1 {
  return value ? 1 : 0;
}

/** Reads a Nova BOOL column (0/1 on both drivers); NULL reads as false, as Nova treats it. */
export function fromDbBoolean(value: number | boolean | null | undefined): boolean {
  return value === true || (typeof value === 'number' && value !== 0);
}

/**
 * A timestamp as Nova's rows hold it: UTC, no zone, whole seconds, with the six-digit fraction
 * SQLAlchemy always writes into SQLite's text columns (`2026-12-01 15:57:01.000000`). SQLite
 * compares the text: a row without the fraction sorts before an equal one with it, which made
 * Nova's paged reads (keyset on created_at) fetch cellctl's rows again and again. MySQL's
 * DATETIME keeps whole seconds of it (and gives them back without a fraction).
 */
export function toDbTimestamp(date: Date): string {
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '.000000');
}

/**
 * How to read rows that decide a write of the same unit of work: with `forUpdate` (where the
 * adapter has lockingReads) concurrent inserts into the rows read wait for the transaction to end.
 */
export interface LockingRead {
  forUpdate?: boolean;
}

/** The reason given for a SQLite database that cannot be opened or created. */
export const SQLITE_CANNOT_OPEN = 'unable to open the database file (does its directory exist?)';

interface DriverErrorShape {
  code?: string;
  errno?: number;
  message?: string;
}

/** True when a driver error is a duplicate-key (unique constraint) violation. */
export function isDuplicateKeyError(error: unknown): boolean {
  const e = error as DriverErrorShape;
  return (
    e?.code === 'ER_DUP_ENTRY' ||
    e?.errno === 1062 ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

/**
 * True when a transaction failed only because it met a concurrent one and may simply be run
 * again: InnoDB deadlocks (Galera reports certification conflicts as deadlocks too) and SQLite's
 * busy database. A lock wait that timed out is not: it already waited the whole lock timeout.
 */
export function isRetryableTransactionError(error: unknown): boolean {
  const e = error as DriverErrorShape;
  return (
    e?.code === 'ER_LOCK_DEADLOCK' ||
    e?.errno === 1213 ||
    e?.code === 'SQLITE_BUSY'
  );
}

/**
 * True when SQLite answered "database is locked" to a statement that may simply be run again
 * once the other session lets go (not SQLITE_BUSY_SNAPSHOT: that needs its transaction restarted).
 */
export function isBusyError(error: unknown): boolean {
  const code = (error as DriverErrorShape)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_RECOVERY';
}

/** The table a driver error says does not exist (MySQL's ER_NO_SUCH_TABLE, SQLite's "no such table"), if that is the error. */
export function missingTableOf(error: unknown): string | undefined {
  const e = error as DriverErrorShape;
  const message = e?.message ?? '';
  if (e?.code === 'ER_NO_SUCH_TABLE' || e?.errno === 1146) return /Table '(?:[^']*\.)?([^'.]+)' doesn't exist/.exec(message)?.[1] ?? 'expected';
  if (typeof e?.code === 'string' && e.code.startsWith('SQLITE_')) return /no such table: (?:\w+\.)?(\S+)/.exec(message)?.[1];
  return undefined;
}

/** True when the MySQL server says the database a connection names does not exist (ER_BAD_DB_ERROR). */
export function isUnknownDatabaseError(error: unknown): boolean {
  const e = error as DriverErrorShape;
  return e?.code === 'ER_BAD_DB_ERROR' || e?.errno === 1049;
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET',
  'PROTOCOL_CONNECTION_LOST', 'ER_BAD_DB_ERROR', 'SQLITE_CANTOPEN', 'SQLITE_NOTADB', 'ENOENT',
]);
const DENIED_CODES = new Set(['ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_TABLEACCESS_DENIED_ERROR']);

/** True for an error a database driver raised (it has a driver code), as opposed to one of cellctl's or a bug. */
export function isDriverError(error: unknown): boolean {
  if (error instanceof CellctlError) return false;
  const e = error as DriverErrorShape;
  return typeof e?.code === 'string' || typeof e?.errno === 'number' || /database connection is not open/.test(e?.message ?? '');
}

/**
 * Turns a driver error into a typed cellctl error whose message names the target (already
 * masked by the caller) and the driver's reason; the driver error is kept as `cause`.
 * This is the only place in cellctl that knows driver error codes.
 */
export function translateDriverError(error: unknown, maskedTarget: string): CellctlError {
  if (error instanceof CellctlError) return error;
  // NOTE: better-sqlite3's words for a statement on a database closed under it (a cell that timed out).
  if (/database connection is not open/.test((error as DriverErrorShape)?.message ?? '')) return new DatabaseClosedError(maskedTarget);
  const e = error as DriverErrorShape;
  // NOTE: better-sqlite3 reports a missing directory as a plain TypeError without a code.
  const code = e?.code ?? (/directory does not exist/.test(e?.message ?? '') ? 'SQLITE_CANTOPEN' : '');
  const reason = describeDriverError(e);
  if (code === 'ER_LOCK_WAIT_TIMEOUT') return new LockTimeoutError(maskedTarget, 'lock (lock wait timeout exceeded)', undefined, { cause: error });
  if (UNREACHABLE_CODES.has(code)) {
    return new DatabaseUnreachableError(maskedTarget, reason, { cause: error });
  }
  if (DENIED_CODES.has(code)) {
    return new DatabaseAccessDeniedError(maskedTarget, reason, { cause: error });
  }
  return new DatabaseError(maskedTarget, reason, { cause: error });
}

function describeDriverError(e: DriverErrorShape): string {
  const message = (e?.message ?? String(e)).split('\n')[0];
  switch (e?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unknown host';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'SQLITE_CANTOPEN':
      return SQLITE_CANNOT_OPEN;
    default:
      return message || 'unknown error';
  }
}
