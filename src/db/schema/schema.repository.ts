import { sql, type Kysely } from 'kysely';
import type { AnyDatabaseHandle } from '../connection';
import type { DialectAdapter } from '../dialect-adapter';
import type { Tx } from '../unit-of-work';
import { tablesInCreationOrder, type SchemaDefinition } from './schema-definition';

/** What a database holds, as far as Nova's schema is concerned. */
export interface SchemaSnapshot {
  tables: string[];
  /** `alembic_version.version_num`, when the table exists and has a row. */
  alembicRevision?: string;
  /** `migrate_version.version` of sqlalchemy-migrate (databases from before Nova 25). */
  legacyVersion?: number;
}

/** Reads the table list and the schema version stamps of a database. */
export async function readSchemaSnapshot(handle: Pick<AnyDatabaseHandle, 'db' | 'adapter'>): Promise<SchemaSnapshot> {
  const db = handle.db as Kysely<any>;
  const tables = await handle.adapter.listTables(db);
  const snapshot: SchemaSnapshot = { tables };
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
 * Creates every table of `definition` and stamps `alembic_version` with its revision, on a
 * unit of work that holds the schema lock of an empty database. Atomic where DDL is
 * transactional; elsewhere (MySQL) the tables created so far are dropped again on failure.
 */
export async function createSchema(db: Tx<any>, adapter: DialectAdapter, definition: SchemaDefinition): Promise<void> {
  const created: string[] = [];
  try {
    for (const table of tablesInCreationOrder(definition)) {
      for (const statement of adapter.createTableStatements(table)) await sql.raw(statement).execute(db);
      created.push(table.name);
    }
    await db.insertInto('alembic_version').values({ version_num: definition.revision }).execute();
  } catch (error) {
    if (!adapter.transactionalDdl) {
      for (const name of created.reverse()) {
        await sql`DROP TABLE IF EXISTS ${sql.id(name)}`.execute(db).catch(() => undefined);
      }
    }
    throw error;
  }
}
