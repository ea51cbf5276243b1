import { errorOf, valueOf } from '../support/outcomes';
import { sql } from 'kysely';
import { NOVA_API_REVISION, NOVA_CELL_REVISION } from '../../src/domain/constants';
import { SchemaRefusedError } from '../../src/domain/errors';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { apiSchemaTarget, cellSchemaTargets, inspectSchemas, syncSchemas } from '../../src/services/schema.service';
import { loadSchemaDefinition } from '../../src/db/schema/schema-definition';
import { describeEachDialect } from '../support/dialect-matrix';
import { dumpSchema } from '../support/schema-dump';
import { runCellctlProcess, type CliResult } from '../support/cli-runner';

describeEachDialect('schema sync', (env) => {
  let dbs: DatabaseContext;
  let api: string;
  let cell: string;

  beforeEach(() => {
    api = env.newUrl('api');
    cell = env.newUrl('cell');
    dbs = createDatabaseContext({ apiDatabaseConnection: api, databaseConnection: cell, cwd: env.dir });
  });
  afterEach(() => dbs.close());

  it("creates every table of Nova's schema in an empty database and stamps Nova's revision", async () => {
    const [apiOutcome] = await syncSchemas(dbs, [apiSchemaTarget(dbs)], {});
    const [cellOutcome] = await syncSchemas(dbs, await cellSchemaTargets(dbs, {}), {});
    expect(errorOf(apiOutcome)).toBeUndefined();
    expect(valueOf(apiOutcome)).toEqual({ action: 'created', revision: NOVA_API_REVISION, tableCount: 32 });
    expect(valueOf(cellOutcome)).toEqual({ action: 'created', revision: NOVA_CELL_REVISION, tableCount: 110 });

    const apiTables = Object.keys(await dumpSchema(api)).sort();
    expect(apiTables).toEqual(loadSchemaDefinition('api').tables.map((t) => t.name).sort());
    const [version] = await inspectSchemas(dbs, [apiSchemaTarget(dbs)]);
    expect(valueOf(version)).toMatchObject({ status: 'current', revision: NOVA_API_REVISION });
  });

  it('changes nothing the second time and says the revision', async () => {
    await syncSchemas(dbs, [apiSchemaTarget(dbs)], {});
    const before = await dumpSchema(api);
    const [again] = await syncSchemas(dbs, [apiSchemaTarget(dbs)], {});
    expect(valueOf(again)).toEqual({ action: 'unchanged', revision: NOVA_API_REVISION, tableCount: 32 });
    expect(await dumpSchema(api)).toEqual(before);
  });

  it('writes nothing in a dry run, not even the database', async () => {
    const [outcome] = await syncSchemas(dbs, [apiSchemaTarget(dbs)], { dryRun: true });
    expect(valueOf(outcome)?.action).toBe('would-create');
    expect(await dbs.exists('api', api)).toBe(false);
  });

  it('refuses a database holding foreign tables and writes nothing to it', async () => {
    const { db } = await dbs.api({ create: true });
    await sql`CREATE TABLE foreign_stuff (id INTEGER PRIMARY KEY)`.execute(db);
    const before = await dumpSchema(api);
    const [outcome] = await syncSchemas(dbs, [apiSchemaTarget(dbs)], {});
    expect(errorOf(outcome)).toBeInstanceOf(SchemaRefusedError);
    expect(errorOf(outcome)!.message).toMatch(/no alembic_version stamp/);
    expect(await dumpSchema(api)).toEqual(before);
  });

  it('refuses a database stamped with another Nova revision', async () => {
    const { db } = await dbs.api({ create: true });
    await sql`CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)`.execute(db);
    await sql`INSERT INTO alembic_version VALUES ('d67eeaabee36')`.execute(db);
    const [outcome] = await syncSchemas(dbs, [apiSchemaTarget(dbs)], {});
    expect(errorOf(outcome)!.message).toMatch(/at Nova schema revision d67eeaabee36, not b30f573d3377/);
  });

  it('lets two concurrent processes sync one empty database: both succeed, it is created once', async () => {
    // Separate processes, as in real use (better-sqlite3 is synchronous within one process).
    const sync = (): Promise<CliResult> => runCellctlProcess(['--api-db', api, '-f', 'value', '-c', 'action', 'api-db', 'sync']);
    const results = await Promise.all([sync(), sync()]);
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    expect(results.map((r) => r.stdout.trim()).sort()).toEqual(['created', 'unchanged']);
  });
});
