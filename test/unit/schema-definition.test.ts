import { readFileSync } from 'node:fs';
import { NOVA_API_REVISION, NOVA_CELL_REVISION } from '../../src/domain/constants';
import { createTableStatements, sqliteType } from '../../src/db/schema/ddl';
import { loadSchemaDefinition, tablesInCreationOrder } from '../../src/db/schema/schema-definition';
import { classifySchema } from '../../src/services/schema.service';

const { generate, targets } = require('../../schemas/tools/generate-table-types.js');

describe('schema definition', () => {
  it("carries Nova 26's revisions and every table", () => {
    expect(loadSchemaDefinition('api')).toMatchObject({ revision: NOVA_API_REVISION });
    expect(loadSchemaDefinition('cell')).toMatchObject({ revision: NOVA_CELL_REVISION });
    expect(loadSchemaDefinition('api').tables).toHaveLength(32);
    expect(loadSchemaDefinition('cell').tables).toHaveLength(110);
    expect(loadSchemaDefinition('cell').tables.filter((t) => t.name.startsWith('shadow_'))).toHaveLength(52);
  });

  it('orders tables so that every foreign key points at a table created earlier', () => {
    for (const kind of ['api', 'cell'] as const) {
      const seen = new Set<string>();
      for (const table of tablesInCreationOrder(loadSchemaDefinition(kind))) {
        for (const fk of table.foreignKeys) if (fk.refTable !== table.name) expect(seen).toContain(fk.refTable);
        seen.add(table.name);
      }
    }
  });

  it('maps MySQL column types to the SQLite types SQLAlchemy uses for Nova', () => {
    expect(sqliteType('int(11)')).toBe('INTEGER');
    expect(sqliteType('bigint(20)')).toBe('BIGINT');
    expect(sqliteType('tinyint(1)')).toBe('BOOLEAN');
    expect(sqliteType('mediumtext')).toBe('TEXT');
    expect(sqliteType("enum('migration','resize','live-migration','evacuation')")).toBe('VARCHAR(14)');
    expect(() => sqliteType('geometry')).toThrow(/no SQLite type/);
  });

  it('keeps unique constraints inline and leaves MySQL-only indexes out on SQLite', () => {
    const hostMappings = loadSchemaDefinition('api').tables.find((t) => t.name === 'host_mappings')!;
    const [create, ...indexes] = createTableStatements(hostMappings, 'sqlite');
    expect(create).toContain('CONSTRAINT "uniq_host_mappings0host" UNIQUE ("host")');
    expect(create).toContain('FOREIGN KEY("cell_id") REFERENCES "cell_mappings" ("id")');
    expect(indexes).toEqual(['CREATE INDEX "host_idx" ON "host_mappings" ("host")']);
    expect(createTableStatements(hostMappings, 'mysql')[0]).toContain('KEY `cell_id` (`cell_id`)');
  });

  it('has generated table types that match the definition', () => {
    for (const kind of ['api', 'cell']) {
      expect(readFileSync(targets[kind], 'utf8')).toBe(generate(kind));
    }
  });

  it('classifies schemas: empty, current, incomplete, other revision, legacy, foreign', () => {
    const definition = loadSchemaDefinition('api');
    const all = definition.tables.map((t) => t.name);
    expect(classifySchema({ otherObjects: [], tables: [] }, definition).status).toBe('empty');
    expect(classifySchema({ otherObjects: [], tables: all, alembicRevision: NOVA_API_REVISION }, definition).status).toBe('current');
    const partial = classifySchema({ otherObjects: [], tables: all.slice(1), alembicRevision: NOVA_API_REVISION }, definition);
    expect(partial).toMatchObject({ status: 'incomplete', missingTables: [all[0]] });
    expect(classifySchema({ otherObjects: [], tables: all, alembicRevision: 'd67eeaabee36' }, definition).status).toBe('other-revision');
    expect(classifySchema({ otherObjects: [], tables: ['migrate_version'], legacyVersion: 87 }, definition)).toMatchObject({ status: 'legacy', revision: '87' });
    expect(classifySchema({ otherObjects: [], tables: ['users'] }, definition).status).toBe('unstamped');
    expect(classifySchema({ tables: [], otherObjects: [{ kind: 'view', name: 'v' }] }, definition).status).toBe('unstamped');
  });
});
