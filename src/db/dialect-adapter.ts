import { sql, type Kysely } from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';
import type { DatabaseUrl } from '../domain/database-url';
import type { DatabaseObjectKind } from '../domain/errors';
import type { QueryLogger } from './query-log';
import { createTableStatements } from './schema/ddl';
import type { TableDefinition } from './schema/schema-definition';
import { mysqlTableShape, readMysqlTableShapes, readSqliteTableShapes, sqliteTableShape, type TableShape } from './schema/table-shape';

/** A value a bulk statement may carry as a literal. */
export type SqlLiteral = string | number | null;

/**
 * What differs between the SQL dialects cellctl speaks, as capabilities: services and repositories
 * ask an adapter what it can do and never for a dialect's name. One adapter is attached to every
 * database handle (DatabaseHandle.adapter).
 */
export interface DialectAdapter {
  /**
   * SELECT ... FOR UPDATE locks the rows read until the transaction ends (MySQL). Without it
   * (SQLite) a write transaction already holds every other writer off, so no clause is needed.
   */
  readonly lockingReads: boolean;
  /**
   * DDL is transactional: a schema creation that fails part-way rolls back (SQLite); without it
   * (MySQL) it leaves a partial schema, which the next sync completes (createSchema).
   */
  readonly transactionalDdl: boolean;
  /**
   * Rows are stored in primary-key order (InnoDB's clustered index), so a primary-key walk reads
   * sequentially and the server inserts what it is sent cheaply; elsewhere a walk in index order is cheaper.
   */
  readonly clusteredByPrimaryKey: boolean;
  /** The statement that opens a write transaction (SQLite: IMMEDIATE, so the write lock is taken at once). */
  readonly beginWrite: string;
  /** The statements that create one of Nova's tables (with its indexes) in this dialect. */
  createTableStatements(table: TableDefinition): string[];
  /** The tables of the connected database (not views; SQLite's internal tables excluded), sorted. */
  listTables(db: Kysely<any>): Promise<string[]>;
  /** The statement listTables runs (one `name` column), for a caller that holds a raw connection. */
  readonly listTablesSql: string;
  /** The views, triggers, routines and events of the connected database (Nova's schema has none), by name. */
  listOtherObjects(db: Kysely<any>): Promise<Array<{ kind: DatabaseObjectKind; name: string }>>;
  /** How one of Nova's tables, as createTableStatements makes it, looks in this dialect's catalogue. */
  expectedTableShape(table: TableDefinition): TableShape;
  /** How each of `tables` of the connected database looks in its catalogue (information_schema, pragmas). */
  describeTables(db: Kysely<any>, tables: string[]): Promise<Map<string, TableShape>>;
  /**
   * Inserts rows with insert-ignore semantics (a row whose unique key exists is skipped, never an
   * error) and returns how many were inserted. Run it inside a unit of work (`db` is its
   * transaction) to make the rows atomic. Every statement reaches the --debug log.
   */
  insertIgnore(db: Kysely<any>, table: string, columns: readonly string[], rows: SqlLiteral[][]): Promise<number>;
  /**
   * Sets each row's own values: for every `[key, ...values]` of `rows`, the row of `table` whose
   * `key` column equals it gets `columns` set to `values`, when it still meets `guard` (a trusted SQL
   * condition on `table`'s columns, such as `uuid IS NULL`, so a row another run migrated meanwhile
   * is left alone). Returns how many rows were changed. Run it in a unit of work to make it atomic;
   * every statement reaches the --debug log.
   */
  updateByKey(db: Kysely<any>, table: string, key: string, columns: readonly string[], rows: SqlLiteral[][], guard: string): Promise<number>;
  /**
   * Takes a named lock for the duration of a unit of work on `db`'s connection (MySQL GET_LOCK),
   * waiting up to `waitMs`; resolves to its release, or to undefined when it timed out. SQLite needs
   * none (its write transaction is exclusive) and resolves to a no-op release at once.
   */
  acquireNamedLock(db: Kysely<any>, name: string, waitMs: number): Promise<(() => Promise<void>) | undefined>;
  /** How long acquireNamedLock really waits when asked for `waitMs` (MySQL: whole seconds, rounded up). */
  namedLockWaitMs(waitMs: number): number;
}

// NOTE: bounds the size of one MySQL statement (a few hundred kB, well under max_allowed_packet).
const MYSQL_ROWS_PER_INSERT = 2000;

// The tables of the connected database, one `name` column (see DialectAdapter.listTablesSql).
const MYSQL_LIST_TABLES = "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'";
const SQLITE_LIST_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";

/** The adapter of a MySQL/MariaDB database. */
export function mysqlAdapter(url: Extract<DatabaseUrl, { dialect: 'mysql' }>): DialectAdapter {
  return {
    lockingReads: true,
    transactionalDdl: false,
    clusteredByPrimaryKey: true,
    beginWrite: 'BEGIN',
    createTableStatements: (table) => createTableStatements(table, 'mysql'),
    expectedTableShape: mysqlTableShape,
    describeTables: readMysqlTableShapes,
    listTablesSql: MYSQL_LIST_TABLES,
    async listTables(db) {
      const { rows } = await sql<{ name: string }>`${sql.raw(MYSQL_LIST_TABLES)}`.execute(db);
      return rows.map((r) => r.name).sort();
    },
    async listOtherObjects(db) {
      const { rows } = await sql<{ kind: DatabaseObjectKind; name: string }>`
        SELECT 'view' AS kind, table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'VIEW'
        UNION ALL SELECT 'trigger', trigger_name FROM information_schema.triggers WHERE trigger_schema = DATABASE()
        UNION ALL SELECT 'routine', routine_name FROM information_schema.routines WHERE routine_schema = DATABASE()
        UNION ALL SELECT 'event', event_name FROM information_schema.events WHERE event_schema = DATABASE()`.execute(db);
      return rows.map((r) => ({ kind: r.kind, name: r.name })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    async insertIgnore(db, table, columns, rows) {
      // NOTE: literals rendered by mysql2 itself: for large batches several times cheaper on the
      // client than a query builder's compile plus placeholder formatting (mysql2 interpolates anyway).
      const { escape, escapeId } = require('mysql2') as typeof import('mysql2');
      let inserted = 0;
      for (let i = 0; i < rows.length; i += MYSQL_ROWS_PER_INSERT) {
        const values = rows.slice(i, i + MYSQL_ROWS_PER_INSERT).map((row) => `(${row.map((v) => escape(v)).join(',')})`).join(',');
        const statement = `INSERT IGNORE INTO ${escapeId(table)} (${columns.map((c) => escapeId(c)).join(',')}) VALUES ${values}`;
        inserted += Number((await sql.raw(statement).execute(db)).numAffectedRows ?? 0);
      }
      return inserted;
    },
    async updateByKey(db, table, key, columns, rows, guard) {
      // NOTE: one UPDATE ... JOIN over a derived table of the rows' values per batch (a CASE per
      // column would be quadratic in the batch size).
      const { escape, escapeId } = require('mysql2') as typeof import('mysql2');
      const names = [key, ...columns].map((_column, i) => escapeId(`v${i}`));
      const assignments = columns.map((c, i) => `t.${escapeId(c)} = v.${names[i + 1]}`).join(', ');
      let changed = 0;
      for (let i = 0; i < rows.length; i += MYSQL_ROWS_PER_INSERT) {
        const values = rows
          .slice(i, i + MYSQL_ROWS_PER_INSERT)
          .map((row, r) => `SELECT ${row.map((v, c) => (r === 0 ? `${escape(v)} AS ${names[c]}` : escape(v))).join(', ')}`)
          .join(' UNION ALL ');
        const statement = `UPDATE ${escapeId(table)} t JOIN (${values}) v ON t.${escapeId(key)} = v.${names[0]} SET ${assignments} WHERE ${guard}`;
        changed += Number((await sql.raw(statement).execute(db)).numAffectedRows ?? 0);
      }
      return changed;
    },
    async acquireNamedLock(db, name, waitMs) {
      // NOTE: GET_LOCK names are server-wide: qualify them with the database (64 characters at most).
      const qualified = `cellctl:${url.database ?? ''}:${name}`.slice(0, 64);
      const { rows } = await sql<{ got: number | null }>`SELECT GET_LOCK(${qualified}, ${mysqlLockWaitSeconds(waitMs)}) AS got`.execute(db);
      if (Number(rows[0]?.got) !== 1) return undefined;
      return async () => {
        await sql`SELECT RELEASE_LOCK(${qualified})`.execute(db).catch(() => undefined);
      };
    },
    namedLockWaitMs: (waitMs) => mysqlLockWaitSeconds(waitMs) * 1000,
  };
}

// NOTE: GET_LOCK takes whole seconds (0.001 would be 0, no wait at all): round up.
function mysqlLockWaitSeconds(waitMs: number): number {
  return Math.ceil(waitMs / 1000);
}

/**
 * The adapter of a SQLite database. `raw` gives the better-sqlite3 database under Kysely (its one
 * connection): bulk inserts run one reused prepared statement per row on it, which parses once and
 * holds no per-batch native memory (a unique multi-row statement per batch did), and are reported
 * to `onQuery` like any statement.
 */
export function sqliteAdapter(raw: () => BetterSqlite3.Database | undefined, onQuery?: QueryLogger): DialectAdapter {
  const prepared = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement<unknown[]>>>();
  /** Runs one statement, prepared once per database, for each parameter row; returns the rows changed. */
  const runPrepared = (statement: string, rows: SqlLiteral[][]): number => {
    const database = raw();
    if (!database) throw new Error('the SQLite database is not open');
    let byDatabase = prepared.get(database);
    if (!byDatabase) prepared.set(database, (byDatabase = new Map()));
    let run = byDatabase.get(statement);
    if (!run) byDatabase.set(statement, (run = database.prepare<unknown[]>(statement)));
    const started = performance.now();
    let changes = 0;
    for (const row of rows) changes += run.run(...row).changes;
    onQuery?.({ sql: `${statement} -- prepared, run for ${rows.length} row(s)`, parameters: rows, durationMs: performance.now() - started });
    return changes;
  };
  return {
    lockingReads: false,
    transactionalDdl: true,
    clusteredByPrimaryKey: false,
    beginWrite: 'BEGIN IMMEDIATE',
    createTableStatements: (table) => createTableStatements(table, 'sqlite'),
    expectedTableShape: sqliteTableShape,
    describeTables: readSqliteTableShapes,
    listTablesSql: SQLITE_LIST_TABLES,
    async listTables(db) {
      const { rows } = await sql<{ name: string }>`${sql.raw(SQLITE_LIST_TABLES)}`.execute(db);
      return rows.map((r) => r.name).sort();
    },
    async listOtherObjects(db) {
      const { rows } = await sql<{ kind: DatabaseObjectKind; name: string }>`SELECT type AS kind, name FROM sqlite_master WHERE type IN ('view', 'trigger') ORDER BY name`.execute(db);
      return rows.map((r) => ({ kind: r.kind, name: r.name }));
    },
    async insertIgnore(_db, table, columns, rows) {
      const statement = `INSERT OR IGNORE INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
      return runPrepared(statement, rows);
    },
    async updateByKey(_db, table, key, columns, rows, guard) {
      const statement = `UPDATE "${table}" SET ${columns.map((c) => `"${c}" = ?`).join(', ')} WHERE "${key}" = ? AND (${guard})`;
      return runPrepared(statement, rows.map(([k, ...values]) => [...values, k]));
    },
    async acquireNamedLock() {
      return async () => undefined;
    },
    namedLockWaitMs: (waitMs) => waitMs,
  };
}
