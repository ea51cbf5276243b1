import { sql, type Kysely } from 'kysely';
import type { TableDifference } from '../../domain/errors';
import { sqliteType } from './ddl';
import type { TableDefinition } from './schema-definition';

/**
 * Tables as a database's catalogue shows them (information_schema on MySQL, pragmas on SQLite),
 * normalised so that a table read from a database compares with the shape Nova's definition of it
 * takes in the same dialect. This is how a sync recognises the tables a killed sync left behind.
 */
export interface TableShape {
  /** Table options that must match: MySQL's engine, and its collation where Nova sets one. */
  options: Record<string, string>;
  columns: ColumnShape[];
  primaryKey: string[];
  /** Unique constraints and indexes, the primary key's excepted. */
  keys: KeyShape[];
  foreignKeys: ForeignKeyShape[];
}

/** One column; `collation` is null where none applies (or none is known), and then not compared. */
export interface ColumnShape {
  name: string;
  type: string;
  nullable: boolean;
  /** The default as text without its quotes; null for none. */
  default: string | null;
  /** `auto_increment`, or ''. */
  extra: string;
  collation: string | null;
}

/** A unique constraint or index; a column with a MySQL prefix length is spelled `col(n)`. */
export interface KeyShape {
  name: string;
  unique: boolean;
  columns: string[];
}

/** A foreign key; `actions` is its ON UPDATE / ON DELETE rule as the catalogue states it. */
export interface ForeignKeyShape {
  name: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  actions: string;
}

/** MySQL 8 drops integer display widths that MariaDB keeps (`int(11)`); tinyint(1) keeps it in both. */
const mysqlType = (type: string): string => type.toLowerCase().replace(/^(smallint|mediumint|int|bigint)\(\d+\)/, '$1');

/** A catalogue's default (`'ssh'` on MariaDB and SQLite, `ssh` on MySQL 8, `NULL` for none on MariaDB) as text. */
function defaultText(raw: string | null): string | null {
  if (raw === null || raw === 'NULL') return null;
  const quoted = raw.match(/^'(.*)'$/s);
  return quoted ? quoted[1].replace(/''/g, "'") : raw;
}

// NOTE: InnoDB treats NO ACTION as RESTRICT; MariaDB reports RESTRICT where no rule was given, MySQL 8 NO ACTION.
const mysqlActions = (update: string, del: string): string =>
  `ON UPDATE ${update.replace('NO ACTION', 'RESTRICT')} ON DELETE ${del.replace('NO ACTION', 'RESTRICT')}`;

/** The shape cellctl's MySQL DDL (and Nova's) gives a table of the definition. */
export function mysqlTableShape(table: TableDefinition): TableShape {
  const options: Record<string, string> = { engine: 'InnoDB' };
  if (table.mysql.collation) options.collation = table.mysql.collation;
  return {
    options,
    columns: table.columns.map((c) => ({
      name: c.name,
      type: mysqlType(c.type),
      nullable: c.nullable,
      default: c.default === undefined ? null : String(c.default),
      extra: c.autoIncrement ? 'auto_increment' : '',
      collation: c.collation ?? table.mysql.collation,
    })),
    primaryKey: table.primaryKey.columns,
    keys: [
      ...table.uniqueConstraints.map((u) => ({ name: u.name, unique: true, columns: u.columns })),
      ...table.indexes.map((i) => ({
        name: i.name,
        unique: i.unique,
        columns: i.columns.map((col, n) => (i.mysqlPrefixLengths?.[n] ? `${col}(${i.mysqlPrefixLengths[n]})` : col)),
      })),
    ],
    foreignKeys: table.foreignKeys.map((fk) => ({ name: fk.name, columns: fk.columns, refTable: fk.refTable, refColumns: fk.refColumns, actions: mysqlActions('RESTRICT', 'RESTRICT') })),
  };
}

/** Reads the shape of the connected MySQL database's tables among `tables` from information_schema (four queries). */
export async function readMysqlTableShapes(db: Kysely<any>, tables: string[]): Promise<Map<string, TableShape>> {
  const shapes = new Map<string, TableShape>();
  const wanted = new Set(tables);
  const { rows: tableRows } = await sql<{ t: string; engine: string | null; coll: string | null }>`SELECT table_name AS t, engine, table_collation AS coll
    FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'`.execute(db);
  for (const r of tableRows) {
    if (wanted.has(r.t)) shapes.set(r.t, { options: { engine: r.engine ?? '', collation: r.coll ?? '' }, columns: [], primaryKey: [], keys: [], foreignKeys: [] });
  }
  const { rows: columns } = await sql<{ t: string; name: string; type: string; nullable: string; dflt: string | null; extra: string; coll: string | null }>`
    SELECT table_name AS t, column_name AS name, column_type AS type, is_nullable AS nullable, column_default AS dflt, extra, collation_name AS coll
    FROM information_schema.columns WHERE table_schema = DATABASE() ORDER BY table_name, ordinal_position`.execute(db);
  for (const c of columns) {
    shapes.get(c.t)?.columns.push({
      name: c.name,
      type: mysqlType(c.type),
      nullable: c.nullable === 'YES',
      default: defaultText(c.dflt),
      extra: c.extra.toLowerCase(),
      collation: c.coll,
    });
  }
  const { rows: indexRows } = await sql<{ t: string; name: string; nonUnique: number | string; col: string; subPart: number | null }>`
    SELECT table_name AS t, index_name AS name, non_unique AS nonUnique, column_name AS col, sub_part AS subPart
    FROM information_schema.statistics WHERE table_schema = DATABASE() ORDER BY table_name, index_name, seq_in_index`.execute(db);
  for (const r of indexRows) {
    const shape = shapes.get(r.t);
    if (!shape) continue;
    const col = r.subPart === null ? r.col : `${r.col}(${r.subPart})`;
    if (r.name === 'PRIMARY') {
      shape.primaryKey.push(col);
      continue;
    }
    let key = shape.keys.find((k) => k.name === r.name);
    if (!key) shape.keys.push((key = { name: r.name, unique: Number(r.nonUnique) === 0, columns: [] }));
    key.columns.push(col);
  }
  const { rows: fkRows } = await sql<{ t: string; name: string; col: string; refTable: string; refCol: string; upd: string; del: string }>`
    SELECT k.table_name AS t, k.constraint_name AS name, k.column_name AS col, k.referenced_table_name AS refTable,
      k.referenced_column_name AS refCol, r.update_rule AS upd, r.delete_rule AS del
    FROM information_schema.key_column_usage k JOIN information_schema.referential_constraints r
      ON r.constraint_schema = k.constraint_schema AND r.constraint_name = k.constraint_name AND r.table_name = k.table_name
    WHERE k.table_schema = DATABASE() AND k.referenced_table_name IS NOT NULL
    ORDER BY k.table_name, k.constraint_name, k.ordinal_position`.execute(db);
  for (const r of fkRows) {
    const shape = shapes.get(r.t);
    if (!shape) continue;
    let fk = shape.foreignKeys.find((f) => f.name === r.name);
    if (!fk) shape.foreignKeys.push((fk = { name: r.name, columns: [], refTable: r.refTable, refColumns: [], actions: mysqlActions(r.upd, r.del) }));
    fk.columns.push(r.col);
    fk.refColumns.push(r.refCol);
  }
  return shapes;
}

// NOTE: SQLite's catalogue names neither unique constraints (their indexes are sqlite_autoindex_<table>_<n>)
// nor foreign keys, so both are keyed by what they are.
const sqliteUniqueName = (columns: string[]): string => `UNIQUE (${columns.join(', ')})`;
const sqliteForeignKeyName = (columns: string[], refTable: string, refColumns: string[]): string =>
  `(${columns.join(', ')}) REFERENCES ${refTable} (${refColumns.join(', ')})`;

/** The shape cellctl's SQLite DDL (and SQLAlchemy's for Nova) gives a table of the definition. */
export function sqliteTableShape(table: TableDefinition): TableShape {
  return {
    options: {},
    columns: table.columns.map((c) => ({
      name: c.name,
      type: sqliteType(c.type),
      nullable: c.nullable,
      default: c.default === undefined ? null : String(c.default),
      extra: '',
      collation: null,
    })),
    primaryKey: table.primaryKey.columns,
    keys: [
      ...table.uniqueConstraints.map((u) => ({ name: sqliteUniqueName(u.columns), unique: true, columns: u.columns })),
      ...table.indexes.filter((i) => !i.mysqlOnly).map((i) => ({ name: i.name, unique: i.unique, columns: i.columns })),
    ],
    foreignKeys: table.foreignKeys.map((fk) => ({
      name: sqliteForeignKeyName(fk.columns, fk.refTable, fk.refColumns),
      columns: fk.columns,
      refTable: fk.refTable,
      refColumns: fk.refColumns,
      actions: 'ON UPDATE NO ACTION ON DELETE NO ACTION',
    })),
  };
}

/** Reads the shape of each of `tables` of a SQLite database from its pragmas. */
export async function readSqliteTableShapes(db: Kysely<any>, tables: string[]): Promise<Map<string, TableShape>> {
  const shapes = new Map<string, TableShape>();
  for (const table of tables) {
    const { rows: columns } = await sql<{ name: string; type: string; required: number; dflt: string | null; pk: number }>`
      SELECT name, type, "notnull" AS required, dflt_value AS dflt, pk FROM pragma_table_info(${table}) ORDER BY cid`.execute(db);
    const { rows: indexes } = await sql<{ name: string; uniq: number; origin: string }>`
      SELECT name, "unique" AS uniq, origin FROM pragma_index_list(${table}) WHERE origin <> 'pk' ORDER BY name`.execute(db);
    const keys: KeyShape[] = [];
    for (const i of indexes) {
      const { rows } = await sql<{ name: string }>`SELECT name FROM pragma_index_info(${i.name}) ORDER BY seqno`.execute(db);
      const cols = rows.map((r) => r.name);
      keys.push({ name: i.origin === 'u' ? sqliteUniqueName(cols) : i.name, unique: i.uniq === 1, columns: cols });
    }
    const { rows: fkRows } = await sql<{ id: number; refTable: string; col: string; refCol: string | null; upd: string; del: string }>`
      SELECT id, "table" AS refTable, "from" AS col, "to" AS refCol, on_update AS upd, on_delete AS del
      FROM pragma_foreign_key_list(${table}) ORDER BY id, seq`.execute(db);
    const byId = new Map<number, { columns: string[]; refTable: string; refColumns: string[]; actions: string }>();
    for (const r of fkRows) {
      let fk = byId.get(r.id);
      if (!fk) byId.set(r.id, (fk = { columns: [], refTable: r.refTable, refColumns: [], actions: `ON UPDATE ${r.upd} ON DELETE ${r.del}` }));
      fk.columns.push(r.col);
      fk.refColumns.push(r.refCol ?? '');
    }
    shapes.set(table, {
      options: {},
      columns: columns.map((c) => ({ name: c.name, type: c.type.toUpperCase(), nullable: c.required === 0, default: defaultText(c.dflt), extra: '', collation: null })),
      primaryKey: columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name),
      keys,
      foreignKeys: [...byId.values()].map((fk) => ({ name: sqliteForeignKeyName(fk.columns, fk.refTable, fk.refColumns), ...fk })),
    });
  }
  return shapes;
}

function describeColumn(c: ColumnShape, withCollation: boolean): string {
  const parts = [c.type, c.nullable ? 'NULL' : 'NOT NULL'];
  if (c.default !== null) parts.push(`DEFAULT '${c.default}'`);
  if (c.extra) parts.push(c.extra.toUpperCase());
  if (withCollation) parts.push(`COLLATE ${c.collation}`);
  return parts.join(' ');
}

const describeKey = (k: KeyShape): string => `${k.unique ? 'UNIQUE ' : ''}(${k.columns.join(', ')})`;
const describeForeignKey = (fk: ForeignKeyShape): string => `(${fk.columns.join(', ')}) REFERENCES ${fk.refTable} (${fk.refColumns.join(', ')}) ${fk.actions}`;

/** Compares named parts (keys, foreign keys): the first missing, differing or unexpected one. */
function compareNamed<T extends { name: string }>(part: TableDifference['part'], expected: T[], found: T[], describe: (x: T) => string): TableDifference | undefined {
  const foundByName = new Map(found.map((x) => [x.name, x]));
  for (const e of expected) {
    const f = foundByName.get(e.name);
    if (!f) return { part, name: e.name, problem: 'missing' };
    if (describe(e) !== describe(f)) return { part, name: e.name, problem: 'differs', expected: describe(e), found: describe(f) };
  }
  const expectedNames = new Set(expected.map((x) => x.name));
  const extra = found.find((x) => !expectedNames.has(x.name));
  return extra && { part, name: extra.name, problem: 'unexpected' };
}

/**
 * The first way a table as read (`found`) differs from its definition's shape (`expected`) in the
 * same dialect: table options, columns (extra, missing, differing, then their order), primary key,
 * keys, foreign keys; undefined when it is the same table. Pure.
 */
export function compareTableShapes(expected: TableShape, found: TableShape): TableDifference | undefined {
  for (const [option, value] of Object.entries(expected.options)) {
    if (found.options[option] !== value) return { part: 'table', name: option, problem: 'differs', expected: value, found: found.options[option] || 'none' };
  }
  const expectedNames = new Set(expected.columns.map((c) => c.name));
  const extraColumn = found.columns.find((c) => !expectedNames.has(c.name));
  if (extraColumn) return { part: 'column', name: extraColumn.name, problem: 'unexpected' };
  const foundColumns = new Map(found.columns.map((c) => [c.name, c]));
  for (const e of expected.columns) {
    const f = foundColumns.get(e.name);
    if (!f) return { part: 'column', name: e.name, problem: 'missing' };
    const withCollation = e.collation !== null && f.collation !== null;
    if (describeColumn(e, withCollation) !== describeColumn(f, withCollation)) {
      return { part: 'column', name: e.name, problem: 'differs', expected: describeColumn(e, withCollation), found: describeColumn(f, withCollation) };
    }
  }
  const order = (shape: TableShape): string => `(${shape.columns.map((c) => c.name).join(', ')})`;
  if (order(expected) !== order(found)) return { part: 'table', name: 'column order', problem: 'differs', expected: order(expected), found: order(found) };
  const pk = (shape: TableShape): string => `(${shape.primaryKey.join(', ')})`;
  if (pk(expected) !== pk(found)) return { part: 'table', name: 'primary key', problem: 'differs', expected: pk(expected), found: pk(found) };
  return compareNamed('index', expected.keys, found.keys, describeKey) ?? compareNamed('foreign key', expected.foreignKeys, found.foreignKeys, describeForeignKey);
}
