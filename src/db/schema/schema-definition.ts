import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ColumnLimits } from '../../domain/column-value';

/** One column as the definition under schemas/ records it; `type` is MySQL's COLUMN_TYPE. */
export interface ColumnDefinition {
  name: string;
  type: string;
  nullable: boolean;
  autoIncrement?: boolean;
  default?: string | number;
  charset?: string;
  collation?: string;
}

/** A secondary index; `mysqlOnly` marks InnoDB's implicit foreign-key indexes. */
export interface IndexDefinition {
  name: string;
  columns: string[];
  unique: boolean;
  mysqlOnly?: boolean;
  mysqlPrefixLengths?: Array<number | null>;
}

/** A foreign key; `named` says whether Nova's DDL names it (else the name is MySQL's own). */
export interface ForeignKeyDefinition {
  name: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  named: boolean;
}

/** One table of Nova's schema; a null MySQL charset means "the database's default". */
export interface TableDefinition {
  name: string;
  mysql: { charset: string | null; collation: string | null };
  columns: ColumnDefinition[];
  primaryKey: { name?: string; columns: string[] };
  uniqueConstraints: Array<{ name: string; columns: string[] }>;
  indexes: IndexDefinition[];
  foreignKeys: ForeignKeyDefinition[];
}

/** Nova's schema of one kind of database at one alembic revision. */
export interface SchemaDefinition {
  database: 'api' | 'cell';
  source: string;
  revision: string;
  tables: TableDefinition[];
}

/** The two kinds of database cellctl manages. */
export type SchemaKind = 'api' | 'cell';

const cache = new Map<SchemaKind, SchemaDefinition>();

/** Finds a file of the package's top-level schemas/ folder, from src/ (tests) or dist/src/ alike. */
function schemaFile(name: string): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'schemas', name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`schemas/${name} not found above ${__dirname}`);
}

/** Returns Nova's schema definition for the API or the cell database (loaded once, on demand). */
export function loadSchemaDefinition(kind: SchemaKind): SchemaDefinition {
  let definition = cache.get(kind);
  if (!definition) {
    // NOTE: read lazily so that commands that never touch a schema do not parse 170 kB of JSON.
    definition = JSON.parse(readFileSync(schemaFile(`nova-${kind}.schema.json`), 'utf8')) as SchemaDefinition;
    cache.set(kind, definition);
  }
  return definition;
}

/**
 * Orders tables so that every table comes after the tables its foreign keys reference
 * (ties broken by name); throws on a reference cycle, which Nova's schema does not have.
 */
export function tablesInCreationOrder(definition: SchemaDefinition): TableDefinition[] {
  const byName = new Map(definition.tables.map((t) => [t.name, t]));
  const ordered: TableDefinition[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (table: TableDefinition): void => {
    const seen = state.get(table.name);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new Error(`foreign-key cycle through ${table.name}`);
    state.set(table.name, 'visiting');
    for (const fk of table.foreignKeys) {
      const target = byName.get(fk.refTable);
      if (target && target !== table) visit(target);
    }
    state.set(table.name, 'done');
    ordered.push(table);
  };
  [...definition.tables].sort((a, b) => a.name.localeCompare(b.name)).forEach(visit);
  return ordered;
}

/**
 * The type and character set of one column of Nova's schema (the table's charset when the column
 * has none of its own), for checking values before they are written. Throws when the definition
 * has no such column (a bug: callers name Nova's columns).
 */
export function columnLimits(kind: SchemaKind, table: string, column: string): ColumnLimits {
  const t = loadSchemaDefinition(kind).tables.find((x) => x.name === table);
  const c = t?.columns.find((x) => x.name === column);
  if (!t || !c) throw new Error(`schemas/nova-${kind}.schema.json has no column ${table}.${column}`);
  return { type: c.type, charset: c.charset ?? t.mysql.charset };
}
