import { sql, type Kysely } from 'kysely';
import type { DatabaseObjectKind, PartialSchemaBlocker } from '../../domain/errors';
import type { AnyDatabaseHandle } from '../connection';
import type { DialectAdapter } from '../dialect-adapter';
import type { Tx } from '../unit-of-work';
import { tablesInCreationOrder, type SchemaDefinition } from './schema-definition';
import { compareTableShapes } from './table-shape';

/** What a database holds, as far as Nova's schema is concerned. */
export interface SchemaSnapshot {
  tables: string[];
  /** Views, triggers, routines and events (Nova's schema has none). */
  otherObjects: Array<{ kind: DatabaseObjectKind; name: string }>;
  /** `alembic_version.version_num`, when the table exists and has a row. */
  alembicRevision?: string;
  /** `migrate_version.version` of sqlalchemy-migrate (databases from before Nova 25). */
  legacyVersion?: number;
}

/** Reads the table list and the schema version stamps of a database. */
export async function readSchemaSnapshot(handle: Pick<AnyDatabaseHandle, 'db' | 'adapter'>): Promise<SchemaSnapshot> {
  const db = handle.db as Kysely<any>;
  const tables = await handle.adapter.listTables(db);
  const snapshot: SchemaSnapshot = { tables, otherObjects: await handle.adapter.listOtherObjects(db) };
  if (tables.includes('alembic_version')) {
    const row = await db.selectFrom('alembic_version').select('version_num').executeTakeFirst();
    if (row) snapshot.alembicRevision = row.version_num as string;
  }
  if (tables.includes('migrate_version')) {
    const row = await db.selectFrom('migrate_version').select('version').executeTakeFirst();
    if (row) snapshot.legacyVersion = Number(row.version);
  }
  return snapshot;
}

/**
 * Whether the tables of an unstamped database are part of Nova's schema as a sync killed part-way
 * leaves it: returns the first of `tables` (by name) that is not one of Nova's, differs from Nova's
 * definition as the catalogue shows it, or holds a row; undefined when none does. Reads only.
 * (A table is never left without the indexes SQLite creates in separate statements: SQLite's DDL
 * is transactional. Such a table would differ, and be refused.)
 */
export async function findPartialSchemaBlocker(
  handle: Pick<AnyDatabaseHandle, 'db' | 'adapter'>,
  definition: SchemaDefinition,
  tables: string[],
): Promise<PartialSchemaBlocker | undefined> {
  const db = handle.db as Kysely<any>;
  const byName = new Map(definition.tables.map((t) => [t.name, t]));
  const shapes = await handle.adapter.describeTables(db, tables);
  for (const name of [...tables].sort()) {
    const table = byName.get(name);
    const shape = shapes.get(name);
    if (!table || !shape) return { table: name, reason: 'foreign' };
    const difference = compareTableShapes(handle.adapter.expectedTableShape(table), shape);
    if (difference) return { table: name, reason: 'differs', difference };
    if (await db.selectFrom(name).select(sql<number>`1`.as('one')).limit(1).executeTakeFirst()) return { table: name, reason: 'rows' };
  }
  return undefined;
}

/**
 * Creates every table of `definition` but the `existing` ones (a partial schema's, checked with
 * findPartialSchemaBlocker) and stamps `alembic_version` with its revision, on a unit of work that
 * holds the schema lock. Atomic where DDL is transactional; elsewhere (MySQL) a failure leaves the
 * tables created so far, empty and as defined: a partial schema that the next sync completes.
 */
export async function createSchema(db: Tx<any>, adapter: DialectAdapter, definition: SchemaDefinition, existing: readonly string[] = []): Promise<void> {
  const skip = new Set(existing);
  // NOTE: in foreign-key order, one CREATE TABLE per table on MySQL (its keys inline), so a sync
  // killed part-way leaves whole tables whose referenced tables exist: a partial schema to complete.
  // The tables are not dropped again when a statement fails: the schema lock is per server, so on a
  // Galera cluster a sync through another node may be completing this very schema and rely on them.
  for (const table of tablesInCreationOrder(definition)) {
    if (skip.has(table.name)) continue;
    for (const statement of adapter.createTableStatements(table)) await sql.raw(statement).execute(db);
  }
  await db.insertInto('alembic_version').values({ version_num: definition.revision }).execute();
}
