/**
 * A comparable description of a database's schema: on MySQL read from information_schema
 * (tables, columns with exact types, nullability, defaults, charsets, indexes, foreign keys), on
 * SQLite from pragmas (columns, indexes and their origin, foreign keys). Row data is not included.
 */
import Database from 'better-sqlite3';
import { parseDatabaseUrl } from '../../src/domain/database-url';
import { withAdmin } from './mysql-admin';

export type SchemaDump = Record<string, unknown>;

export async function dumpSchema(url: string): Promise<SchemaDump> {
  const parsed = parseDatabaseUrl(url, '/');
  return parsed.dialect === 'sqlite' ? dumpSqlite(parsed.path) : dumpMysql(parsed.database!);
}

async function dumpMysql(schema: string): Promise<SchemaDump> {
  return withAdmin(async (c) => {
    const q = async (text: string): Promise<Array<Record<string, unknown>>> => (await c.query(text, [schema]))[0] as Array<Record<string, unknown>>;
    const out: Record<string, Record<string, unknown>> = {};
    for (const t of await q('SELECT table_name AS t, engine, table_collation AS coll FROM information_schema.tables WHERE table_schema = ? ORDER BY 1')) {
      out[t.t as string] = { engine: t.engine, collation: t.coll, columns: [], indexes: {}, foreignKeys: {} };
    }
    for (const r of await q(`SELECT table_name AS t, column_name AS name, ordinal_position AS pos, column_type AS type,
        is_nullable AS nullable, column_default AS dflt, extra, character_set_name AS charset, collation_name AS coll
        FROM information_schema.columns WHERE table_schema = ? ORDER BY table_name, ordinal_position`)) {
      const { t, ...column } = r;
      (out[t as string].columns as unknown[]).push(column);
    }
    for (const r of await q(`SELECT table_name AS t, index_name AS name, non_unique AS nonUnique, seq_in_index AS seq,
        column_name AS col, sub_part AS subPart, index_type AS type
        FROM information_schema.statistics WHERE table_schema = ? ORDER BY table_name, index_name, seq_in_index`)) {
      const indexes = out[r.t as string].indexes as Record<string, unknown[]>;
      (indexes[r.name as string] ??= []).push([r.nonUnique, r.seq, r.col, r.subPart, r.type]);
    }
    for (const r of await q(`SELECT k.table_name AS t, k.constraint_name AS name, k.column_name AS col,
        k.referenced_table_name AS refTable, k.referenced_column_name AS refCol, r.update_rule AS upd, r.delete_rule AS del
        FROM information_schema.key_column_usage k JOIN information_schema.referential_constraints r
          ON r.constraint_schema = k.constraint_schema AND r.constraint_name = k.constraint_name AND r.table_name = k.table_name
        WHERE k.table_schema = ? AND k.referenced_table_name IS NOT NULL ORDER BY 1, 2, k.ordinal_position`)) {
      const fks = out[r.t as string].foreignKeys as Record<string, unknown[]>;
      (fks[r.name as string] ??= []).push([r.col, r.refTable, r.refCol, r.upd, r.del]);
    }
    return out;
  });
}

function dumpSqlite(path: string): SchemaDump {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const out: SchemaDump = {};
    const tables = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string; sql: string }>;
    for (const { name, sql } of tables) {
      const indexes = (db.pragma(`index_list('${name}')`) as Array<{ name: string; unique: number; origin: string }>)
        .map((i) => ({
          // Autoindex names of unique constraints are numbered by position; the constraint names
          // live only in the CREATE TABLE text, compared below.
          name: i.origin === 'c' ? i.name : i.origin,
          unique: i.unique,
          columns: (db.pragma(`index_info('${i.name}')`) as Array<{ name: string }>).map((c) => c.name),
        }))
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      out[name] = {
        columns: db.pragma(`table_info('${name}')`),
        indexes,
        foreignKeys: (db.pragma(`foreign_key_list('${name}')`) as Array<Record<string, unknown>>)
          .map(({ table, from, to }) => [from, table, to])
          .sort(),
        constraintNames: [...sql.matchAll(/CONSTRAINT "?(\w+)"? (UNIQUE|FOREIGN KEY|PRIMARY KEY)/g)].map((m) => `${m[2]} ${m[1]}`).sort(),
      };
    }
    return out;
  } finally {
    db.close();
  }
}
