#!/usr/bin/env node
'use strict';
/*
 * Builds cellctl's schema definition (schemas/nova-<kind>.schema.json) from two observations of
 * the schema Nova 26.2.2 creates:
 *   - the information_schema inventory of a MariaDB database made by Nova's `api_db sync` /
 *     `db sync` (../shared/reference/nova-schema/<kind>.json): types, charsets, MySQL indexes;
 *   - a SQLite database made by the same Nova commands: which unique keys are table constraints,
 *     which foreign keys Nova names, which indexes exist only on MySQL (InnoDB's implicit
 *     foreign-key indexes).
 * Run once per Nova release; the output is data that both dialects' DDL is generated from.
 *
 *   node schemas/tools/import-nova-schema.js api  INVENTORY.json NOVA_API.sqlite  > schemas/nova-api.schema.json
 *   node schemas/tools/import-nova-schema.js cell INVENTORY.json NOVA_CELL.sqlite > schemas/nova-cell.schema.json
 */
const fs = require('node:fs');
const Database = require('better-sqlite3');

const [kind, inventoryPath, sqlitePath] = process.argv.slice(2);
if (!['api', 'cell'].includes(kind) || !inventoryPath || !sqlitePath) {
  process.stderr.write('usage: import-nova-schema.js api|cell INVENTORY.json NOVA.sqlite\n');
  process.exitCode = 127;
  return;
}

const inventory = JSON.parse(fs.readFileSync(inventoryPath, 'utf8'));
const sqlite = new Database(sqlitePath, { readonly: true });

/** Parses a MariaDB COLUMN_DEFAULT into a typed JSON default (undefined when there is none). */
function parseDefault(raw) {
  if (raw === null || raw === 'NULL') return undefined;
  if (/^'.*'$/.test(raw)) return raw.slice(1, -1).replace(/''/g, "'");
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  throw new Error(`unexpected default ${raw}`);
}

function sqliteFacts(table) {
  const sql = sqlite.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").get(table).sql;
  const uniqueConstraints = [...sql.matchAll(/CONSTRAINT (\w+) UNIQUE \(([^)]*)\)/g)].map((m) => m[1]);
  const namedForeignKeys = new Set([...sql.matchAll(/CONSTRAINT (\w+) FOREIGN KEY/g)].map((m) => m[1]));
  const pkName = (sql.match(/CONSTRAINT (\w+) PRIMARY KEY/) || [])[1];
  const indexes = new Set(
    sqlite.prepare(`PRAGMA index_list('${table}')`).all().filter((i) => i.origin === 'c').map((i) => i.name),
  );
  return { uniqueConstraints, namedForeignKeys, pkName, indexes };
}

const tables = Object.entries(inventory.tables).map(([name, t]) => {
  const facts = sqliteFacts(name);
  const tableCharset = t.collation.split('_')[0];
  const databaseDefault = name === 'alembic_version';
  const columns = t.columns
    .slice()
    .sort((a, b) => a.ordinal - b.ordinal)
    .map((c) => {
      const column = { name: c.name, type: c.column_type, nullable: c.nullable };
      if (c.extra === 'auto_increment') column.autoIncrement = true;
      else if (c.extra) throw new Error(`unexpected extra ${c.extra} on ${name}.${c.name}`);
      const dflt = parseDefault(c.default);
      if (dflt !== undefined) column.default = dflt;
      if (c.collation && c.collation !== t.collation && !databaseDefault) {
        column.charset = c.character_set;
        column.collation = c.collation;
      }
      return column;
    });
  const primary = t.indexes.find((i) => i.name === 'PRIMARY');
  const primaryKey = { columns: primary.columns.sort((a, b) => a.seq - b.seq).map((c) => c.name) };
  if (facts.pkName) primaryKey.name = facts.pkName;

  const byName = new Map(t.indexes.map((i) => [i.name, i]));
  const columnsOf = (i) => i.columns.slice().sort((a, b) => a.seq - b.seq).map((c) => c.name);
  const uniqueConstraints = facts.uniqueConstraints.map((n) => {
    const i = byName.get(n);
    if (!i || !i.unique) throw new Error(`unique constraint ${n} of ${name} missing on MySQL`);
    return { name: n, columns: columnsOf(i) };
  });
  const foreignKeys = t.foreign_keys.map((fk) => {
    if (fk.on_delete !== 'RESTRICT' || fk.on_update !== 'RESTRICT') throw new Error(`FK action on ${fk.name}`);
    return {
      name: fk.name,
      columns: fk.columns,
      refTable: fk.ref_table,
      refColumns: fk.ref_columns,
      named: facts.namedForeignKeys.has(fk.name),
    };
  });
  const indexes = t.indexes
    .filter((i) => i.name !== 'PRIMARY' && !facts.uniqueConstraints.includes(i.name))
    .map((i) => {
      const index = { name: i.name, columns: columnsOf(i), unique: i.unique };
      const prefix = i.columns.slice().sort((a, b) => a.seq - b.seq).map((c) => c.sub_part);
      if (prefix.some((p) => p !== null)) index.mysqlPrefixLengths = prefix;
      if (!facts.indexes.has(i.name)) {
        const backsForeignKey = foreignKeys.some((fk) => fk.columns.join() === index.columns.join());
        if (!backsForeignKey) throw new Error(`index ${i.name} of ${name} is missing on SQLite`);
        index.mysqlOnly = true;
      }
      return index;
    });
  for (const n of facts.indexes) {
    if (!byName.has(n)) throw new Error(`index ${n} of ${name} exists only on SQLite`);
  }
  const table = { name };
  table.mysql = databaseDefault ? { charset: null, collation: null } : { charset: tableCharset, collation: t.collation };
  Object.assign(table, { columns, primaryKey, uniqueConstraints, indexes, foreignKeys });
  return table;
});

const definition = {
  database: kind,
  source: `Nova ${inventory.source.match(/Nova [^ ,]+/)?.[0]?.slice(5) ?? ''} on ${inventory.server_version} and SQLite`,
  revision: inventory.alembic_version[0],
  tables: tables.sort((a, b) => a.name.localeCompare(b.name)),
};
// One column, key or index per line: reviewable diffs when a Nova release changes the schema.
const compact = JSON.stringify(definition, null, 1).replace(/[{[]\n[^{}[\]]*?\n *[}\]]/g, (leaf) =>
  leaf.replace(/\n */g, ' ').replace(/([{[]) /, '$1').replace(/ ([}\]])$/, '$1'),
);
process.stdout.write(`${compact}\n`);
