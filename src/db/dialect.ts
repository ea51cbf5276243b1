import { sql, type Kysely } from 'kysely';
import {
  type CellctlError,
  DatabaseAccessDeniedError,
  DatabaseError,
  DatabaseUnreachableError,
} from '../domain/errors';

/** The SQL dialects cellctl connects to. */
export type DialectName = 'mysql' | 'sqlite';

/** Writes a boolean the way both drivers accept it (better-sqlite3 refuses JS booleans). */
export function toDbBoolean(value: boolean): 0 | 1 {
  return value ? 1 : 0;
}

/** Reads a Nova BOOL column (0/1 on both drivers); NULL reads as false, as Nova treats it. */
export function fromDbBoolean(value: number | boolean | null | undefined): boolean {
  return value === true || (typeof value === 'number' && value !== 0);
}

/** Nova's timestamp format: UTC, no zone, as SQLAlchemy writes `utcnow()` on both dialects. */
export function toDbTimestamp(date: Date): string {
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');
}

/**
 * How to read rows that decide a write of the same transaction. On MySQL `forUpdate` makes it a
 * locking read (SELECT ... FOR UPDATE: concurrent inserts into the rows read wait for the
 * transaction to end). SQLite has no such clause and needs none: a transaction begun IMMEDIATE
 * already holds every other writer off.
 */
export interface LockingRead {
  forUpdate?: boolean;
}

/** The locking read for a dialect (see LockingRead). */
export function lockingRead(dialect: DialectName): LockingRead {
  return { forUpdate: dialect === 'mysql' };
}

/** A value a bulk statement may carry as a literal. */
export type SqlLiteral = string | number | null;

/**
 * Renders `INSERT IGNORE` (MySQL) / `INSERT OR IGNORE` (SQLite) of many rows as one statement
 * with escaped literals: for large batches this is several times cheaper on the client than a
 * query builder's compile plus the driver's placeholder formatting (mysql2 interpolates
 * parameters client-side anyway). MySQL values are escaped by mysql2 itself.
 */
export function bulkInsertIgnoreSql(dialect: DialectName, table: string, columns: string[], rows: SqlLiteral[][]): string {
  if (dialect === 'mysql') {
    const { escape, escapeId } = require('mysql2') as typeof import('mysql2');
    const values = rows.map((row) => `(${row.map((v) => escape(v)).join(',')})`).join(',');
    return `INSERT IGNORE INTO ${escapeId(table)} (${columns.map((c) => escapeId(c)).join(',')}) VALUES ${values}`;
  }
  const literal = (v: SqlLiteral): string => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`);
  const values = rows.map((row) => `(${row.map(literal).join(',')})`).join(',');
  return `INSERT OR IGNORE INTO "${table}" (${columns.map((c) => `"${c}"`).join(',')}) VALUES ${values}`;
}

/** Lists the tables of the connected database (not views; SQLite's internal tables excluded). */
export async function listTables(db: Kysely<any>, dialect: DialectName): Promise<string[]> {
  const query =
    dialect === 'mysql'
      ? sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables
          WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'`
      : sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`;
  const { rows } = await query.execute(db);
  return rows.map((r) => r.name).sort();
}

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
 * again: InnoDB deadlocks and lock-wait timeouts (Galera reports certification conflicts as
 * deadlocks too), and SQLite's busy database.
 */
export function isRetryableTransactionError(error: unknown): boolean {
  const e = error as DriverErrorShape;
  return (
    e?.code === 'ER_LOCK_DEADLOCK' ||
    e?.errno === 1213 ||
    e?.code === 'ER_LOCK_WAIT_TIMEOUT' ||
    e?.errno === 1205 ||
    e?.code === 'SQLITE_BUSY'
  );
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET',
  'PROTOCOL_CONNECTION_LOST', 'ER_BAD_DB_ERROR', 'SQLITE_CANTOPEN', 'SQLITE_NOTADB', 'ENOENT',
]);
const DENIED_CODES = new Set(['ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_TABLEACCESS_DENIED_ERROR']);

/**
 * Turns a driver error into a typed cellctl error whose message names the target (already
 * masked by the caller) and the driver's reason; the driver error is kept as `cause`.
 * This is the only place in cellctl that knows driver error codes.
 */
export function translateDriverError(error: unknown, maskedTarget: string): CellctlError {
  const e = error as DriverErrorShape;
  // NOTE: better-sqlite3 reports a missing directory as a plain TypeError without a code.
  const code = e?.code ?? (/directory does not exist/.test(e?.message ?? '') ? 'SQLITE_CANTOPEN' : '');
  const reason = describeDriverError(e);
  if (UNREACHABLE_CODES.has(code)) {
    return new DatabaseUnreachableError(`cannot reach database ${maskedTarget}: ${reason}`, { cause: error });
  }
  if (DENIED_CODES.has(code)) {
    return new DatabaseAccessDeniedError(`database ${maskedTarget} refused access: ${reason}`, { cause: error });
  }
  return new DatabaseError(`database ${maskedTarget} failed: ${reason}`, { cause: error });
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
      return 'unable to open the database file (does its directory exist?)';
    default:
      return message || 'unknown error';
  }
}
