import type { ColumnDefinition, IndexDefinition, TableDefinition } from './schema-definition';

/** The SQL dialects cellctl generates DDL for. */
export type DdlDialect = 'mysql' | 'sqlite';

const quoteMysql = (name: string): string => `\`${name.replace(/`/g, '``')}\``;
const quoteSqlite = (name: string): string => `"${name.replace(/"/g, '""')}"`;

function literal(value: string | number): string {
  return typeof value === 'number' ? String(value) : `'${value.replace(/'/g, "''")}'`;
}

/**
 * Maps MySQL's COLUMN_TYPE to the type SQLAlchemy gives the same Nova column on SQLite
 * (observed on a Nova-made SQLite database): ENUM becomes VARCHAR of its longest value.
 */
export function sqliteType(mysqlType: string): string {
  if (/^int\(\d+\)$/.test(mysqlType)) return 'INTEGER';
  if (/^bigint\(\d+\)$/.test(mysqlType)) return 'BIGINT';
  if (mysqlType === 'tinyint(1)') return 'BOOLEAN';
  if (mysqlType === 'text' || mysqlType === 'mediumtext') return 'TEXT';
  if (mysqlType === 'datetime') return 'DATETIME';
  if (mysqlType === 'float') return 'FLOAT';
  const varchar = mysqlType.match(/^varchar\((\d+)\)$/);
  if (varchar) return `VARCHAR(${varchar[1]})`;
  const en = mysqlType.match(/^enum\((.*)\)$/);
  if (en) return `VARCHAR(${Math.max(...enumValues(en[1]).map((v) => v.length))})`;
  throw new Error(`no SQLite type for ${mysqlType}`);
}

function enumValues(list: string): string[] {
  return [...list.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1].replace(/''/g, "'"));
}

/** MySQL's DDL spelling of a COLUMN_TYPE: display widths go, MariaDB reports them back anyway. */
function mysqlType(type: string): string {
  if (/^int\(\d+\)$/.test(type)) return 'INT';
  if (/^bigint\(\d+\)$/.test(type)) return 'BIGINT';
  if (type === 'tinyint(1)') return 'TINYINT(1)';
  return type.replace(/^[a-z]+/, (word) => word.toUpperCase());
}

function mysqlColumn(c: ColumnDefinition): string {
  const parts = [quoteMysql(c.name), mysqlType(c.type)];
  if (c.charset) parts.push(`CHARACTER SET ${c.charset}`);
  if (c.collation) parts.push(`COLLATE ${c.collation}`);
  parts.push(c.nullable ? 'NULL' : 'NOT NULL');
  if (c.default !== undefined) parts.push(`DEFAULT ${literal(c.default)}`);
  if (c.autoIncrement) parts.push('AUTO_INCREMENT');
  return parts.join(' ');
}

function sqliteColumn(c: ColumnDefinition): string {
  const parts = [quoteSqlite(c.name), sqliteType(c.type)];
  if (c.default !== undefined) parts.push(`DEFAULT ${literal(c.default)}`);
  if (!c.nullable) parts.push('NOT NULL');
  return parts.join(' ');
}

function mysqlIndexColumns(index: IndexDefinition): string {
  return index.columns
    .map((col, i) => {
      const prefix = index.mysqlPrefixLengths?.[i];
      return prefix ? `${quoteMysql(col)}(${prefix})` : quoteMysql(col);
    })
    .join(', ');
}

/**
 * Returns the statements that create one table on MySQL/MariaDB: a single CREATE TABLE with
 * every key inline (InnoDB then needs no implicit foreign-key index, so index names are Nova's).
 */
export function mysqlCreateTable(table: TableDefinition): string[] {
  const cols = (names: string[]): string => names.map(quoteMysql).join(', ');
  const lines = table.columns.map(mysqlColumn);
  lines.push(`PRIMARY KEY (${cols(table.primaryKey.columns)})`);
  for (const u of table.uniqueConstraints) lines.push(`UNIQUE KEY ${quoteMysql(u.name)} (${cols(u.columns)})`);
  for (const i of table.indexes) {
    lines.push(`${i.unique ? 'UNIQUE KEY' : 'KEY'} ${quoteMysql(i.name)} (${mysqlIndexColumns(i)})`);
  }
  for (const fk of table.foreignKeys) {
    lines.push(
      `CONSTRAINT ${quoteMysql(fk.name)} FOREIGN KEY (${cols(fk.columns)}) ` +
        `REFERENCES ${quoteMysql(fk.refTable)} (${cols(fk.refColumns)})`,
    );
  }
  let options = 'ENGINE=InnoDB';
  if (table.mysql.charset) options += ` DEFAULT CHARSET=${table.mysql.charset} COLLATE=${table.mysql.collation}`;
  return [`CREATE TABLE ${quoteMysql(table.name)} (\n  ${lines.join(',\n  ')}\n) ${options}`];
}

/**
 * Returns the statements that create one table on SQLite the way SQLAlchemy does for Nova:
 * unique constraints and foreign keys inside CREATE TABLE, other indexes as CREATE INDEX,
 * MySQL-only (implicit foreign-key) indexes left out.
 */
export function sqliteCreateTable(table: TableDefinition): string[] {
  const cols = (names: string[]): string => names.map(quoteSqlite).join(', ');
  const lines = table.columns.map(sqliteColumn);
  const pkName = table.primaryKey.name ? `CONSTRAINT ${quoteSqlite(table.primaryKey.name)} ` : '';
  lines.push(`${pkName}PRIMARY KEY (${cols(table.primaryKey.columns)})`);
  for (const u of table.uniqueConstraints) lines.push(`CONSTRAINT ${quoteSqlite(u.name)} UNIQUE (${cols(u.columns)})`);
  for (const fk of table.foreignKeys) {
    const name = fk.named ? `CONSTRAINT ${quoteSqlite(fk.name)} ` : '';
    lines.push(`${name}FOREIGN KEY(${cols(fk.columns)}) REFERENCES ${quoteSqlite(fk.refTable)} (${cols(fk.refColumns)})`);
  }
  const statements = [`CREATE TABLE ${quoteSqlite(table.name)} (\n  ${lines.join(',\n  ')}\n)`];
  for (const i of table.indexes) {
    if (i.mysqlOnly) continue;
    statements.push(
      `CREATE ${i.unique ? 'UNIQUE ' : ''}INDEX ${quoteSqlite(i.name)} ON ${quoteSqlite(table.name)} (${cols(i.columns)})`,
    );
  }
  return statements;
}

/** Returns the CREATE statements of one table in the given dialect. */
export function createTableStatements(table: TableDefinition, dialect: DdlDialect): string[] {
  return dialect === 'mysql' ? mysqlCreateTable(table) : sqliteCreateTable(table);
}
