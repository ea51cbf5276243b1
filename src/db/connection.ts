import { CompiledQuery, Kysely, MysqlDialect, sql, type DatabaseConnection, type Dialect, type LogEvent, type QueryResult } from 'kysely';
import type { Socket } from 'node:net';
import type { Pool as MysqlPool, PoolOptions } from 'mysql2';
import type BetterSqlite3 from 'better-sqlite3';
import { MYSQL_DEFAULT_PORT, type DatabaseUrl } from '../domain/database-url';
import { DEFAULT_CONNECT_TIMEOUT_SECONDS, DEFAULT_LOCK_TIMEOUT_SECONDS } from '../domain/constants';
import { DEADLINE_PASSED, raceDeadline } from '../domain/deadline';
import { novaDatabaseKind, type NovaDatabaseKind } from '../domain/database-kind';
import { DatabaseClosedError, DatabaseMissingError, DatabaseUnreachableError, NotNovaDatabaseError, UnusableUrlParameterError, type CellRef } from '../domain/errors';
import { maskUrl } from '../domain/url-masking';
import { isUnknownDatabaseError, missingTableOf, SQLITE_CANNOT_OPEN, translateDriverError } from './dialect';
import { mysqlAdapter, sqliteAdapter, type DialectAdapter } from './dialect-adapter';
import type { QueryLogger } from './query-log';
import { retryWhileBusy, WaitingSqliteDialect, type LockWait } from './sqlite-dialect';

export type { QueryLogger } from './query-log';

/** An open database: its Kysely instance, its dialect's capabilities, its masked URL for messages. */
export interface DatabaseHandle<DB> {
  readonly db: Kysely<DB>;
  /** What the dialect can do (services ask this, never for a dialect's name). */
  readonly adapter: DialectAdapter;
  readonly url: DatabaseUrl;
  /** The URL with every password masked: safe for any message. */
  readonly target: string;
  /** How long a write waits for a lock another session holds, in milliseconds. */
  readonly lockWaitMs: number;
  /** The mapped cell it was opened for, if any (the first, when several cells share a database). */
  readonly cell?: CellRef;
  /**
   * Closes the connections; statements still waiting on a lock end at once. With `abort`, the
   * sockets are cut at once too, so statements still running (or a connection still opening) end
   * now instead of when the server answers (a cell that timed out). Safe to call twice.
   */
  close(options?: { abort?: boolean }): Promise<void>;
}

/** How to open a database. */
export interface OpenDatabaseOptions {
  /** Create what is missing: the SQLite file, or the MySQL database (CREATE DATABASE IF NOT EXISTS). */
  create?: boolean;
  /** MySQL pool size (default 4). */
  poolSize?: number;
  /** Milliseconds to wait for a server to connect and answer (default DEFAULT_CONNECT_TIMEOUT_SECONDS). */
  connectTimeoutMs?: number;
  /** Milliseconds a statement waits for a lock held by another session (default DEFAULT_LOCK_TIMEOUT_SECONDS). */
  lockWaitMs?: number;
  onQuery?: QueryLogger;
  /** Aborting it while the database opens closes it at once (the open then fails). */
  signal?: AbortSignal;
  /** The Nova schema the database should hold: a statement on a table it lacks then throws NotNovaDatabaseError. */
  schema?: 'api' | 'cell';
  /** The mapped cell the database is opened for, named by DatabaseMissingError and NotNovaDatabaseError. */
  cell?: CellRef;
}

// NOTE: how long a graceful close may take before the connections are simply dropped.
const CLOSE_GRACE_MS = 2000;

const DEFAULT_CONNECT_TIMEOUT_MS = DEFAULT_CONNECT_TIMEOUT_SECONDS * 1000;
const DEFAULT_LOCK_WAIT_MS = DEFAULT_LOCK_TIMEOUT_SECONDS * 1000;

/**
 * Opens a database and proves it answers (one round trip within the connect timeout), so an
 * unreachable server, one that accepts connections and never answers, or refused credentials fail
 * here with a typed error naming the masked URL rather than in the middle of a command.
 * Throws DatabaseMissingError (without `create`: no such file or MySQL database),
 * DatabaseUnreachableError, DatabaseAccessDeniedError or DatabaseError.
 */
export async function openDatabase<DB>(url: DatabaseUrl, options: OpenDatabaseOptions = {}): Promise<DatabaseHandle<DB>> {
  const target = maskUrl(url.raw);
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const lockWaitMs = options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS;
  const log = options.onQuery ? toKyselyLog(options.onQuery) : undefined;
  const closing = new AbortController();
  const sockets = new Set<Socket>();
  let db: Kysely<DB>;
  let adapter: DialectAdapter;
  if (url.dialect === 'sqlite') {
    if (!options.create) {
      // NOTE: better-sqlite3 says only "unable to open database file" for a file that is not there.
      const { existsSync } = require('node:fs') as typeof import('node:fs');
      const { dirname } = require('node:path') as typeof import('node:path');
      if (!existsSync(url.path)) throw new DatabaseMissingError(target, options.schema, options.cell, !existsSync(dirname(url.path)));
    }
    let sqlite: BetterSqlite3.Database | undefined;
    const wait: LockWait = { timeoutMs: lockWaitMs, signal: closing.signal, target };
    const dialect = new WaitingSqliteDialect(
      {
        database: async () => {
          sqlite = await openSqlite(url.path, Boolean(options.create), wait);
          return sqlite;
        },
      },
      wait,
    );
    adapter = sqliteAdapter(() => sqlite, options.onQuery);
    db = new Kysely<DB>({ dialect: namingMissingTables(dialect, target, options, adapter.listTablesSql), log });
  } else {
    if (options.create && url.database) await ensureMysqlDatabase(url, target, connectTimeoutMs);
    const pool = createMysqlPool(url, url.database, options.poolSize ?? 4, connectTimeoutMs, sockets);
    // NOTE: MySQL's own lock waits (metadata locks: a year by default; row locks: 50 s) follow the
    // lock timeout, so a statement blocked by another session's lock ends like a SQLite one.
    const lockWaitSeconds = Math.min(Math.max(1, Math.ceil(lockWaitMs / 1000)), MYSQL_MAX_LOCK_WAIT_SECONDS);
    pool.on('connection', (connection) => {
      connection.query(`SET SESSION lock_wait_timeout = ${lockWaitSeconds}, innodb_lock_wait_timeout = ${lockWaitSeconds}`);
    });
    adapter = mysqlAdapter(url);
    db = new Kysely<DB>({ dialect: namingMissingTables(new MysqlDialect({ pool }), target, options, adapter.listTablesSql), log });
  }
  let closed: Promise<unknown> | undefined;
  const close = async (closeOptions: { abort?: boolean } = {}): Promise<void> => {
    closing.abort();
    if (closeOptions.abort) for (const socket of sockets) socket.destroy();
    closed ??= raceDeadline(db.destroy().catch(() => undefined), CLOSE_GRACE_MS);
    if ((await closed) === DEADLINE_PASSED) for (const socket of sockets) socket.destroy();
  };
  const abort = (): void => void close({ abort: true });
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    const answered = await raceDeadline(sql`SELECT 1`.execute(db), connectTimeoutMs);
    if (answered === DEADLINE_PASSED) throw new DatabaseUnreachableError(target, `no answer within ${connectTimeoutMs / 1000} s`);
  } catch (error) {
    void close({ abort: true });
    if (!options.signal?.aborted && isUnknownDatabaseError(error)) throw new DatabaseMissingError(target, options.schema, options.cell, false, { cause: error });
    throw translateDriverError(options.signal?.aborted ? new DatabaseClosedError(target) : error, target);
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
  return { db, adapter, url, target, lockWaitMs, close, ...(options.cell && { cell: options.cell }) };
}

/**
 * The dialect, with a statement on a table the database lacks failing as NotNovaDatabaseError
 * (naming the database, its kind, the table, and what the database holds instead: nothing, or
 * Nova's other database, read on the same connection) instead of the driver's bare error, which
 * would reach the user as an unexpected one. Every other error passes through unchanged, driver
 * codes and all (retries and duplicate-key checks read them).
 */
function namingMissingTables(dialect: Dialect, target: string, options: Pick<OpenDatabaseOptions, 'schema' | 'cell'>, listTablesSql: string): Dialect {
  const schema = options.schema;
  if (!schema) return dialect;
  const translate = async (error: unknown, listTables: () => Promise<QueryResult<{ name: string }>>): Promise<unknown> => {
    const table = missingTableOf(error);
    if (table === undefined) return error;
    let found: NovaDatabaseKind | undefined;
    try {
      // NOTE: the failing statement's own connection: a SQLite transaction holds the only one.
      found = novaDatabaseKind((await listTables()).rows.map((row) => row.name));
    } catch {
      // NOTE: the error still names the missing table; what the database holds stays unsaid.
    }
    return new NotNovaDatabaseError(target, schema, table, { cause: error, found, cell: options.cell });
  };
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () => {
      const driver = dialect.createDriver();
      const acquire = driver.acquireConnection.bind(driver);
      const wrapped = new WeakSet<DatabaseConnection>();
      driver.acquireConnection = async (): Promise<DatabaseConnection> => {
        const connection = await acquire();
        // NOTE: the connection itself is changed (once: pools hand it out again), as Kysely's
        // own query logging does: drivers release it through methods of their own on it.
        if (!wrapped.has(connection)) {
          wrapped.add(connection);
          const executeQuery = connection.executeQuery;
          const streamQuery = connection.streamQuery;
          const listTables = () => executeQuery.call<DatabaseConnection, [CompiledQuery], Promise<QueryResult<{ name: string }>>>(connection, CompiledQuery.raw(listTablesSql));
          connection.executeQuery = async <R>(query: CompiledQuery) => {
            try {
              return await executeQuery.call<DatabaseConnection, [CompiledQuery], Promise<QueryResult<R>>>(connection, query);
            } catch (error) {
              throw await translate(error, listTables);
            }
          };
          connection.streamQuery = async function* <R>(query: CompiledQuery, chunkSize?: number) {
            try {
              yield* streamQuery.call<DatabaseConnection, [CompiledQuery, number | undefined], AsyncIterableIterator<QueryResult<R>>>(connection, query, chunkSize);
            } catch (error) {
              throw await translate(error, listTables);
            }
          };
        }
        return connection;
      };
      return driver;
    },
  };
}

async function openSqlite(path: string, create: boolean, wait: LockWait): Promise<BetterSqlite3.Database> {
  // NOTE: required here, not at the top, so that `cellctl --help` never loads native drivers.
  const Database = require('better-sqlite3') as typeof BetterSqlite3;
  let database: BetterSqlite3.Database;
  try {
    if (create) createPrivateFile(path);
    database = new Database(path, { fileMustExist: !create });
  } catch (error) {
    throw translateDriverError(error, wait.target);
  }
  // NOTE: no busy timeout inside SQLite: it would block the event loop while it waits. A locked
  // database is waited for by retryWhileBusy, which pauses asynchronously.
  database.pragma('busy_timeout = 0');
  // Switching the journal to WAL (readers beside a writer) itself needs a lock another run may hold.
  await retryWhileBusy(() => database.pragma('journal_mode = WAL'), wait);
  // NOTE: SQLite's own default page cache (2 MB), not better-sqlite3's 16 MB: cellctl holds one
  // connection per database, and its bulk writes append in index order (see map-instances).
  database.pragma('cache_size = -2000');
  return database;
}

/**
 * Creates an empty file at `path` readable by its owner only, unless one exists: SQLite would
 * create it world-readable (0644), and an API database holds transport passwords. Its journal
 * and WAL files take the same mode. Any other failure is left for SQLite's open to report.
 */
function createPrivateFile(path: string): void {
  const { closeSync, openSync } = require('node:fs') as typeof import('node:fs');
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch {
    // NOTE: it exists (EEXIST), or SQLite's open fails next with its own error.
  }
}

/**
 * Throws UnusableUrlParameterError when a MySQL URL names a charset mysql2 does not know (it
 * would fail with a bare TypeError); nothing for SQLite URLs. Opens nothing.
 */
export function checkUrlParameters(url: DatabaseUrl): void {
  if (url.dialect !== 'mysql' || !url.charset) return;
  const { Charsets } = require('mysql2') as typeof import('mysql2');
  // NOTE: utf8/utf8mb3 are opened as utf8mb4 (see mysqlOptions), whatever mysql2 calls them.
  if (/^utf8(mb3)?$/i.test(url.charset)) return;
  if ((Charsets as unknown as Record<string, number | undefined>)[url.charset.toUpperCase()] === undefined) {
    throw new UnusableUrlParameterError(maskUrl(url.raw), 'charset', url.charset);
  }
}

function mysqlOptions(url: Extract<DatabaseUrl, { dialect: 'mysql' }>, database: string | undefined, connectTimeoutMs: number): PoolOptions {
  checkUrlParameters(url);
  const read = (parameter: 'ssl_ca' | 'ssl_cert' | 'ssl_key', path: string | undefined) => readUrlFile(url, parameter, path);
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
      ? { ca: read('ssl_ca', url.ssl.ca), cert: read('ssl_cert', url.ssl.cert), key: read('ssl_key', url.ssl.key), rejectUnauthorized: url.ssl.verifyCert ?? true }
      : undefined,
    // NOTE: mysql2 keeps this timer until the server's handshake is done, so it also ends a
    // connection to a listener that accepts and never answers.
    connectTimeout: connectTimeoutMs,
    // NOTE: DATETIME as text on both dialects, the way Nova stores it in SQLite (no zone shifts).
    dateStrings: true,
    supportBigNumbers: true,
    timezone: 'Z',
  };
}

/** Reads a file an ssl_* parameter names; one that cannot be read is the URL's fault (invalid input), named. */
function readUrlFile(url: DatabaseUrl, parameter: 'ssl_ca' | 'ssl_cert' | 'ssl_key', path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  try {
    return (require('node:fs') as typeof import('node:fs')).readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new UnusableUrlParameterError(maskUrl(url.raw), parameter, path, reason, { cause: error });
  }
}

/** MySQL's upper bound for lock_wait_timeout (one year). */
const MYSQL_MAX_LOCK_WAIT_SECONDS = 31_536_000;

/**
 * A pool whose connections use sockets cellctl opens itself and records in `sockets` (removed
 * when they close), so a handle can cut them: mysql2's own end() waits for the server to answer.
 */
function createMysqlPool(
  url: Extract<DatabaseUrl, { dialect: 'mysql' }>,
  database: string | undefined,
  size: number,
  connectTimeoutMs: number,
  sockets: Set<Socket>,
): MysqlPool {
  const mysql = require('mysql2') as typeof import('mysql2');
  const net = require('node:net') as typeof import('node:net');
  const stream = (): Socket => {
    const socket = url.socketPath ? net.connect(url.socketPath) : net.connect(url.port ?? MYSQL_DEFAULT_PORT, url.host ?? 'localhost');
    // As mysql2 sets up the sockets it opens itself.
    if (!url.socketPath) socket.setNoDelay(true).setKeepAlive(true, 0);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    return socket;
  };
  return mysql.createPool({ ...mysqlOptions(url, database, connectTimeoutMs), stream, connectionLimit: size, maxIdle: size });
}

/** Runs `work` on a connection to the MySQL server without a default database; driver errors become typed ones. */
async function withServerConnection<T>(
  url: Extract<DatabaseUrl, { dialect: 'mysql' }>,
  target: string,
  connectTimeoutMs: number,
  work: (connection: import('mysql2/promise').Connection) => Promise<T>,
): Promise<T> {
  const mysql = require('mysql2/promise') as typeof import('mysql2/promise');
  let connection: import('mysql2/promise').Connection | undefined;
  try {
    connection = await mysql.createConnection(mysqlOptions(url, undefined, connectTimeoutMs));
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
async function ensureMysqlDatabase(url: Extract<DatabaseUrl, { dialect: 'mysql' }>, target: string, connectTimeoutMs: number): Promise<void> {
  await withServerConnection(url, target, connectTimeoutMs, async (connection) => {
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
export async function databaseExists(url: DatabaseUrl, connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS, options: { directoryCreated?: boolean } = {}): Promise<boolean> {
  if (url.dialect === 'sqlite') {
    const { existsSync } = require('node:fs') as typeof import('node:fs');
    if (existsSync(url.path)) return true;
    // What opening it to create it would meet (a dry run must not promise what the run cannot do),
    // unless the run creates the directory first (`directoryCreated`).
    if (!options.directoryCreated && !existsSync((require('node:path') as typeof import('node:path')).dirname(url.path))) throw new DatabaseUnreachableError(maskUrl(url.raw), SQLITE_CANNOT_OPEN);
    return false;
  }
  return withServerConnection(url, maskUrl(url.raw), connectTimeoutMs, async (connection) => !url.database || schemaExists(connection, url.database));
}

/** A handle whose tables are not known statically (schema inspection and DDL). */
export type AnyDatabaseHandle = DatabaseHandle<any>;
