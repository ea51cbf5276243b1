import { Kysely, MysqlDialect, SqliteDialect, sql, type LogEvent } from 'kysely';
import type { Pool as MysqlPool, PoolOptions } from 'mysql2';
import type BetterSqlite3 from 'better-sqlite3';
import type { DatabaseUrl } from '../domain/database-url';
import { CellctlError } from '../domain/errors';
import { maskUrl } from '../domain/url-masking';
import { type DialectName, translateDriverError } from './dialect';

/** An open database: its Kysely instance, its dialect and its masked URL for messages. */
export interface DatabaseHandle<DB> {
  readonly db: Kysely<DB>;
  readonly dialect: DialectName;
  readonly url: DatabaseUrl;
  /** The URL with every password masked: safe for any message. */
  readonly target: string;
  /**
   * SQLite only: the better-sqlite3 database under Kysely (its single connection), for the few
   * bulk paths where a reused prepared statement beats a query builder. Use it only within
   * src/db, and only while holding Kysely's connection (inside a transaction).
   */
  readonly sqlite?: BetterSqlite3.Database;
}

/** Receives each executed statement (for --debug); parameters may hold secrets. */
export type QueryLogger = (event: { sql: string; parameters: readonly unknown[]; durationMs: number; error?: unknown }) => void;

/** How to open a database. */
export interface OpenDatabaseOptions {
  /** Create what is missing: the SQLite file, or the MySQL database (CREATE DATABASE IF NOT EXISTS). */
  create?: boolean;
  /** MySQL pool size (default 4). */
  poolSize?: number;
  /** Milliseconds a SQLite connection waits for a lock before failing (default 30 s). */
  busyTimeoutMs?: number;
  onQuery?: QueryLogger;
}

const MYSQL_CONNECT_TIMEOUT_MS = 10_000;

/**
 * Opens a database and proves it answers (one round trip), so an unreachable server or refused
 * credentials fail here with a typed error rather than in the middle of a command.
 * Throws DatabaseUnreachableError, DatabaseAccessDeniedError or DatabaseError.
 */
export async function openDatabase<DB>(url: DatabaseUrl, options: OpenDatabaseOptions = {}): Promise<DatabaseHandle<DB>> {
  const target = maskUrl(url.raw);
  const log = options.onQuery ? toKyselyLog(options.onQuery) : undefined;
  let db: Kysely<DB>;
  let sqlite: BetterSqlite3.Database | undefined;
  if (url.dialect === 'sqlite') {
    db = new Kysely<DB>({
      dialect: new SqliteDialect({
        database: async () => {
          sqlite = await openSqlite(url.path, options, target);
          return sqlite;
        },
      }),
      log,
    });
  } else {
    if (options.create && url.database) await ensureMysqlDatabase(url, target);
    const pool = createMysqlPool(url, url.database, options.poolSize ?? 4);
    db = new Kysely<DB>({ dialect: new MysqlDialect({ pool }), log });
  }
  try {
    await sql`SELECT 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw error instanceof CellctlError ? error : translateDriverError(error, target);
  }
  return { db, dialect: url.dialect, url, target, sqlite };
}

async function openSqlite(path: string, options: OpenDatabaseOptions, target: string): Promise<BetterSqlite3.Database> {
  // NOTE: required here, not at the top, so that `cellctl --help` never loads native drivers.
  const Database = require('better-sqlite3') as typeof BetterSqlite3;
  let database: BetterSqlite3.Database;
  try {
    database = new Database(path, { fileMustExist: !options.create });
  } catch (error) {
    throw translateDriverError(error, target);
  }
  // The busy timeout makes parallel runs wait, not fail; it is set first because switching the
  // journal to WAL (readers beside a writer) itself needs a lock another run may hold.
  database.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 30_000}`);
  database.pragma('journal_mode = WAL');
  // NOTE: SQLite's own default page cache (2 MB), not better-sqlite3's 16 MB: cellctl holds one
  // connection per database, and its bulk writes append in index order (see map-instances).
  database.pragma('cache_size = -2000');
  return database;
}

function mysqlOptions(url: Extract<DatabaseUrl, { dialect: 'mysql' }>, database: string | undefined): PoolOptions {
  return {
    host: url.socketPath ? undefined : (url.host ?? 'localhost'),
    port: url.port,
    socketPath: url.socketPath,
    user: url.user,
    password: url.password,
    database,
    // NOTE: Nova's URLs say charset=utf8 (MySQL's 3-byte utf8mb3). A utf8mb4 connection is a
    // superset the server converts from, and mysql2 encodes it natively instead of through iconv.
    charset: !url.charset || /^utf8(mb3)?$/i.test(url.charset) ? 'utf8mb4' : url.charset,
    ssl: url.ssl
      ? { ca: readOptional(url.ssl.ca), cert: readOptional(url.ssl.cert), key: readOptional(url.ssl.key), rejectUnauthorized: url.ssl.verifyCert ?? true }
      : undefined,
    connectTimeout: MYSQL_CONNECT_TIMEOUT_MS,
    // NOTE: DATETIME as text on both dialects, the way Nova stores it in SQLite (no zone shifts).
    dateStrings: true,
    supportBigNumbers: true,
    timezone: 'Z',
  };
}

function readOptional(path: string | undefined): string | undefined {
  return path === undefined ? undefined : (require('node:fs') as typeof import('node:fs')).readFileSync(path, 'utf8');
}

function createMysqlPool(url: Extract<DatabaseUrl, { dialect: 'mysql' }>, database: string | undefined, size: number): MysqlPool {
  const mysql = require('mysql2') as typeof import('mysql2');
  return mysql.createPool({ ...mysqlOptions(url, database), connectionLimit: size, maxIdle: size });
}

/** Runs `work` on a connection to the MySQL server without a default database; driver errors become typed ones. */
async function withServerConnection<T>(
  url: Extract<DatabaseUrl, { dialect: 'mysql' }>,
  target: string,
  work: (connection: import('mysql2/promise').Connection) => Promise<T>,
): Promise<T> {
  const mysql = require('mysql2/promise') as typeof import('mysql2/promise');
  let connection: import('mysql2/promise').Connection | undefined;
  try {
    connection = await mysql.createConnection(mysqlOptions(url, undefined));
    return await work(connection);
  } catch (error) {
    throw translateDriverError(error, target);
  } finally {
    await connection?.end().catch(() => undefined);
  }
}

async function schemaExists(connection: import('mysql2/promise').Connection, name: string): Promise<boolean> {
  const [rows] = await connection.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = ?', [name]);
  return (rows as unknown[]).length > 0;
}

/** CREATE DATABASE IF NOT EXISTS with Nova's conventions, when the account may. */
async function ensureMysqlDatabase(url: Extract<DatabaseUrl, { dialect: 'mysql' }>, target: string): Promise<void> {
  await withServerConnection(url, target, async (connection) => {
    if (!(await schemaExists(connection, url.database!))) {
      await connection.query(`CREATE DATABASE IF NOT EXISTS \`${url.database!.replace(/`/g, '``')}\``);
    }
  });
}

function toKyselyLog(onQuery: QueryLogger): (event: LogEvent) => void {
  return (event) =>
    onQuery({
      sql: event.query.sql,
      parameters: event.query.parameters,
      durationMs: event.queryDurationMillis,
      error: event.level === 'error' ? event.error : undefined,
    });
}

/**
 * True when the database a URL names exists (the SQLite file, or the MySQL schema), without
 * creating anything. Throws the typed errors of openDatabase when the server cannot be asked.
 */
export async function databaseExists(url: DatabaseUrl): Promise<boolean> {
  if (url.dialect === 'sqlite') {
    return (require('node:fs') as typeof import('node:fs')).existsSync(url.path);
  }
  return withServerConnection(url, maskUrl(url.raw), async (connection) => !url.database || schemaExists(connection, url.database));
}

/** A handle whose tables are not known statically (schema inspection and DDL). */
export type AnyDatabaseHandle = DatabaseHandle<any>;
