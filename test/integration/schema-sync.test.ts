import { errorOf, valueOf } from '../support/outcomes';
import { sql } from 'kysely';
import { NOVA_API_REVISION, NOVA_CELL_REVISION } from '../../src/domain/constants';
import { SchemaRefusedError } from '../../src/domain/errors';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { apiSchemaTarget, cellSchemaTargets, inspectSchemas, syncSchemas } from '../../src/services/schema.service';
import { loadSchemaDefinition, tablesInCreationOrder, type SchemaKind } from '../../src/db/schema/schema-definition';
import { describeEachDialect } from '../support/dialect-matrix';
import { dumpSchema } from '../support/schema-dump';
import { runCellctlProcess, type CliResult } from '../support/cli-runner';
import type { ChildProcess } from 'node:child_process';
import mysql from 'mysql2/promise';
import { parseDatabaseUrl } from '../../src/domain/database-url';
import { adminOptions } from '../support/mysql-admin';

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
    expect(errorOf(outcome)!.message).toMatch(/no alembic_version stamp, and foreign_stuff is not a table of Nova's schema/);
    expect((errorOf(outcome) as SchemaRefusedError).refusal).toMatchObject({ blocker: { table: 'foreign_stuff', reason: 'foreign' } });
    expect(await dumpSchema(api)).toEqual(before);
  });

  it('refuses a database holding only a view, or a trigger on an otherwise partial schema, and writes nothing', async () => {
    const { db } = await dbs.api({ create: true });
    await sql`CREATE VIEW foreign_view AS SELECT 1 AS one`.execute(db);
    const [view] = await syncSchemas(dbs, [apiSchemaTarget(dbs)], {});
    expect((errorOf(view) as SchemaRefusedError).refusal).toMatchObject({ blocker: { table: 'foreign_view', reason: 'object', kind: 'view' } });
    expect(errorOf(view)!.message).toMatch(/view foreign_view is not part of Nova's schema/);
    const [dry] = await syncSchemas(dbs, [apiSchemaTarget(dbs)], { dryRun: true });
    expect(errorOf(dry)).toBeInstanceOf(SchemaRefusedError);
    await sql`DROP VIEW foreign_view`.execute(db);

    await createPartialSchema('api', 3);
    const first = tablesInCreationOrder(loadSchemaDefinition('api'))[0]!.name;
    await sql.raw(`CREATE TRIGGER foreign_trigger BEFORE INSERT ON ${first} FOR EACH ROW BEGIN SELECT 1; END`.replace('BEGIN SELECT 1; END', env.dialect === 'mysql' ? 'SET @x = 1' : 'BEGIN SELECT 1; END')).execute(db);
    const before = await dumpSchema(api);
    const [trigger] = await syncSchemas(dbs, [apiSchemaTarget(dbs)], {});
    expect((errorOf(trigger) as SchemaRefusedError).refusal).toMatchObject({ blocker: { table: 'foreign_trigger', reason: 'object', kind: 'trigger' } });
    expect(await dumpSchema(api)).toEqual(before);
  });

  /** Leaves what a sync killed part-way leaves: the first `count` tables in creation order, no stamp. */
  async function createPartialSchema(kind: SchemaKind, count: number): Promise<void> {
    const handle = kind === 'api' ? await dbs.api({ create: true }) : await dbs.localCell({ create: true });
    for (const table of tablesInCreationOrder(loadSchemaDefinition(kind)).slice(0, count)) {
      for (const statement of handle.adapter.createTableStatements(table)) await sql.raw(statement).execute(handle.db);
    }
  }

  /** The schema a sync in one go creates. */
  async function oneGoSchema(kind: SchemaKind): Promise<unknown> {
    const url = env.newUrl(`ref_${kind}`);
    const other = createDatabaseContext({ apiDatabaseConnection: url, databaseConnection: url, cwd: env.dir });
    try {
      const targets = kind === 'api' ? [apiSchemaTarget(other)] : await cellSchemaTargets(other, {});
      expect(valueOf((await syncSchemas(other, targets, {}))[0])?.action).toBe('created');
      return await dumpSchema(url);
    } finally {
      await other.close();
    }
  }

  it("completes a partial schema whose tables are all Nova's and empty, and a dry run only says it would", async () => {
    await createPartialSchema('api', 10);
    await createPartialSchema('cell', 40);
    const before = [await dumpSchema(api), await dumpSchema(cell)];

    const dry = [...(await syncSchemas(dbs, [apiSchemaTarget(dbs)], { dryRun: true })), ...(await syncSchemas(dbs, await cellSchemaTargets(dbs, {}), { dryRun: true }))];
    expect(dry.map(errorOf)).toEqual([undefined, undefined]);
    expect(dry.map(valueOf)).toEqual([
      { action: 'would-complete', revision: NOVA_API_REVISION, tableCount: 32, existingTables: 10 },
      { action: 'would-complete', revision: NOVA_CELL_REVISION, tableCount: 110, existingTables: 40 },
    ]);
    expect([await dumpSchema(api), await dumpSchema(cell)]).toEqual(before);

    const [apiOutcome] = await syncSchemas(dbs, [apiSchemaTarget(dbs)], {});
    const [cellOutcome] = await syncSchemas(dbs, await cellSchemaTargets(dbs, {}), {});
    expect(valueOf(apiOutcome)).toEqual({ action: 'completed', revision: NOVA_API_REVISION, tableCount: 32, existingTables: 10 });
    expect(valueOf(cellOutcome)).toEqual({ action: 'completed', revision: NOVA_CELL_REVISION, tableCount: 110, existingTables: 40 });
    expect(await dumpSchema(api)).toEqual(await oneGoSchema('api'));
    expect(await dumpSchema(cell)).toEqual(await oneGoSchema('cell'));
    const versions = await inspectSchemas(dbs, [apiSchemaTarget(dbs), ...(await cellSchemaTargets(dbs, {}))]);
    expect(versions.map((v) => valueOf(v)?.status)).toEqual(['current', 'current']);
  });

  it('completes a schema that lacks only its stamp (every table read back matches its definition)', async () => {
    await createPartialSchema('api', 32);
    await createPartialSchema('cell', 110);
    const [apiOutcome] = await syncSchemas(dbs, [apiSchemaTarget(dbs)], {});
    const [cellOutcome] = await syncSchemas(dbs, await cellSchemaTargets(dbs, {}), {});
    expect(valueOf(apiOutcome)).toEqual({ action: 'completed', revision: NOVA_API_REVISION, tableCount: 32, existingTables: 32 });
    expect(valueOf(cellOutcome)).toEqual({ action: 'completed', revision: NOVA_CELL_REVISION, tableCount: 110, existingTables: 110 });
    expect(await dumpSchema(api)).toEqual(await oneGoSchema('api'));
  });

  it('refuses a partial schema one of whose tables holds a row, naming the table, and writes nothing', async () => {
    await createPartialSchema('api', 10);
    const { db } = await dbs.api();
    await sql`INSERT INTO aggregates (uuid, name) VALUES ('a', 'agg')`.execute(db);
    const before = await dumpSchema(api);
    const [outcome] = await syncSchemas(dbs, [apiSchemaTarget(dbs)], {});
    expect((errorOf(outcome) as SchemaRefusedError).refusal).toMatchObject({ blocker: { table: 'aggregates', reason: 'rows' } });
    expect(errorOf(outcome)!.message).toMatch(/holds 10 tables but no alembic_version stamp, and Nova's table aggregates holds rows/);
    expect(await dumpSchema(api)).toEqual(before);
    expect((await sql<{ name: string }>`SELECT name FROM aggregates`.execute(db)).rows).toEqual([{ name: 'agg' }]);
  });

  it("refuses a partial schema with a table that differs from Nova's, naming the table and the difference", async () => {
    await createPartialSchema('api', 10);
    const { db } = await dbs.api();
    await sql`ALTER TABLE aggregate_hosts ADD COLUMN note VARCHAR(10)`.execute(db);
    const before = await dumpSchema(api);
    const [outcome] = await syncSchemas(dbs, [apiSchemaTarget(dbs)], { dryRun: true });
    expect((errorOf(outcome) as SchemaRefusedError).refusal).toMatchObject({ blocker: {
      table: 'aggregate_hosts',
      reason: 'differs',
      difference: { part: 'column', name: 'note', problem: 'unexpected' },
    } });
    expect(errorOf(outcome)!.message).toMatch(/and table aggregate_hosts differs from Nova's definition \(column note is not in it\)/);
    expect(await dumpSchema(api)).toEqual(before);
  });

  it("refuses a partial schema with a column or an index unlike Nova's", async () => {
    await createPartialSchema('cell', 3);
    const { db } = await dbs.localCell();
    await sql`DROP TABLE aggregate_hosts`.execute(db);
    await sql`CREATE TABLE aggregate_hosts (id INTEGER NOT NULL PRIMARY KEY, host VARCHAR(100), aggregate_id INTEGER NOT NULL)`.execute(db);
    const [changed] = await syncSchemas(dbs, await cellSchemaTargets(dbs, {}), {});
    expect((errorOf(changed) as SchemaRefusedError).refusal).toMatchObject({ blocker: { table: 'aggregate_hosts', reason: 'differs' } });
    expect(errorOf(changed)!.message).toMatch(/table aggregate_hosts differs from Nova's definition \(/);
    await sql`DROP TABLE aggregate_hosts`.execute(db);
    await sql`DROP INDEX aggregate_uuid_idx${sql.raw(env.dialect === 'mysql' ? ' ON aggregates' : '')}`.execute(db);
    const [unindexed] = await syncSchemas(dbs, await cellSchemaTargets(dbs, {}), {});
    expect((errorOf(unindexed) as SchemaRefusedError).refusal).toMatchObject({ blocker: {
      table: 'aggregates',
      reason: 'differs',
      difference: { part: 'index', name: 'aggregate_uuid_idx', problem: 'missing' },
    } });
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

  if (env.dialect === 'mysql') {
    it('completes a cell schema whose db sync was killed part-way (MariaDB DDL is not transactional), refusing it while a table holds a row or differs', async () => {
      const url = parseDatabaseUrl(cell, '/');
      const database = url.dialect === 'mysql' ? url.database! : '';
      const admin = await mysql.createConnection(adminOptions());
      const query = async (text: string, values: unknown[] = []): Promise<Array<Record<string, unknown>>> => (await admin.query(text, values))[0] as Array<Record<string, unknown>>;
      const tableCount = async (): Promise<number> => Number((await query('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ?', [database]))[0].n);
      const sync = (...argv: string[]): Promise<CliResult> => runCellctlProcess(['--db', cell, '-f', 'json', 'db', 'sync', ...argv]);
      const action = (result: CliResult): unknown => (JSON.parse(result.stdout) as Array<{ action: string }>)[0].action;
      try {
        // Kill a real sync once it has created a few tables; retry until a kill lands part-way.
        let left = 0;
        for (let attempt = 1; attempt <= 10 && !(left > 0 && left < 110); attempt++) {
          await query(`DROP DATABASE IF EXISTS \`${database}\``);
          let child: ChildProcess | undefined;
          let ended = false;
          const run = runCellctlProcess(['--db', cell, 'db', 'sync'], { onSpawn: (c) => (child = c) }).finally(() => (ended = true));
          while (!ended && (await tableCount()) < 3) await new Promise((resolve) => setTimeout(resolve, 1));
          child!.kill('SIGKILL');
          await run;
          left = await tableCount();
        }
        expect(left).toBeGreaterThan(0);
        expect(left).toBeLessThan(110);
        const stamp = await query('SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_name = ?', [database, 'alembic_version']);
        if (stamp.length) expect(await query(`SELECT * FROM \`${database}\`.alembic_version`)).toEqual([]);
        const partial = await dumpSchema(cell);

        // One row in one of its tables: refused, nothing changed.
        await query(`INSERT INTO \`${database}\`.agent_builds () VALUES ()`);
        const withRow = await sync();
        expect(withRow.code).toBe(2);
        expect(action(withRow)).toBe('refused');
        expect(withRow.stderr).toMatch(/no alembic_version stamp, and Nova's table agent_builds holds rows/);
        expect(await dumpSchema(cell)).toEqual(partial);
        expect(await query(`SELECT COUNT(*) AS n FROM \`${database}\`.agent_builds`)).toEqual([{ n: 1 }]);
        await query(`DELETE FROM \`${database}\`.agent_builds`);

        // One table altered (an extra column): refused, nothing changed.
        await query(`ALTER TABLE \`${database}\`.aggregates ADD COLUMN note INT`);
        const altered = await sync();
        expect(altered.code).toBe(2);
        expect(altered.stderr).toMatch(/and table aggregates differs from Nova's definition \(column note is not in it\)/);
        await query(`ALTER TABLE \`${database}\`.aggregates DROP COLUMN note`);
        expect(await dumpSchema(cell)).toEqual(partial);

        // A dry run says it would complete the schema, and changes nothing.
        const dry = await sync('--dry-run');
        expect(dry.code).toBe(0);
        expect(action(dry)).toBe('would-complete');
        expect(dry.stderr).toMatch(new RegExp(`would complete a partial Nova schema ${NOVA_CELL_REVISION}: ${left} of 110 tables found, empty and as defined by Nova; would create ${110 - left}; dry run, nothing written`));
        expect(await dumpSchema(cell)).toEqual(partial);

        // The re-run completes it: the schema of a sync in one go, stamped.
        const rerun = await sync();
        expect(rerun.code).toBe(0);
        expect(action(rerun)).toBe('completed');
        expect(rerun.stderr).toMatch(new RegExp(`completed a partial Nova schema ${NOVA_CELL_REVISION}: created ${110 - left} of 110 tables \\(${left} found already, empty and as defined by Nova\\)`));
        expect(await dumpSchema(cell)).toEqual(await oneGoSchema('cell'));
        expect(await query(`SELECT version_num FROM \`${database}\`.alembic_version`)).toEqual([{ version_num: NOVA_CELL_REVISION }]);
      } finally {
        await admin.end();
      }
    });

    it('leaves the tables of a sync that failed part-way for the next run to complete, rather than dropping what another run may be using', async () => {
      const url = parseDatabaseUrl(cell, '/');
      const database = url.dialect === 'mysql' ? url.database! : '';
      const user = `ctsync${process.pid}`;
      const admin = await mysql.createConnection(adminOptions());
      try {
        // An account that may create the first table only: the sync fails at the second.
        await admin.query(`CREATE DATABASE \`${database}\``);
        await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'pw'`);
        await admin.query(`GRANT SELECT, INSERT, DROP ON \`${database}\`.* TO '${user}'@'%'`);
        await admin.query(`GRANT CREATE ON \`${database}\`.agent_builds TO '${user}'@'%'`);
        const { host, port } = adminOptions();
        const failed = await runCellctlProcess(['--db', `mysql+pymysql://${user}:pw@${host}:${port}/${database}?charset=utf8`, 'db', 'sync']);
        expect(failed.code).toBe(255);
        expect(failed.stderr).toMatch(/denied/);
        const [left] = await admin.query('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ?', [database]);
        expect(left).toEqual([{ t: 'agent_builds' }]);

        const rerun = await runCellctlProcess(['--db', cell, '-f', 'value', '-c', 'action', 'db', 'sync']);
        expect(rerun).toMatchObject({ code: 0, stdout: 'completed\n' });
        expect(await dumpSchema(cell)).toEqual(await oneGoSchema('cell'));
      } finally {
        await admin.query(`DROP USER IF EXISTS '${user}'@'%'`);
        await admin.end();
      }
    });
  }
});
