/**
 * First-run guidance (issue 15, point 2): a command that meets an API or cell database that does
 * not exist yet, one with none of Nova's tables, or Nova's other database (the API and cell URLs
 * swapped) says so in one line naming the command that fixes it, exits 255 (a sync refusing: 2),
 * and writes nothing; simple-cell-setup creates the API schema too.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NOVA_API_REVISION, NOVA_CELL_REVISION } from '../../src/domain/constants';
import { createDatabaseContext } from '../../src/services/database-context.service';
import { createNovaDatabase } from '../support/cell-fixtures';
import { describeEachDialect } from '../support/dialect-matrix';
import { runCli, type CliResult } from '../support/cli-runner';
import { dumpSchema } from '../support/schema-dump';
import { runDir } from '../support/test-environment';

describeEachDialect('first-run guidance', (env) => {
  const cli = (...argv: string[]) => runCli(argv, { cwd: env.dir });
  const at = (api: string, cell: string) => ['--api-db', api, '--db', cell];

  /** Creates the database (SQLite file, MySQL database) with no tables in it. */
  async function emptyDatabase(url: string): Promise<void> {
    const dbs = createDatabaseContext({ apiDatabaseConnection: url, cwd: env.dir });
    await dbs.api({ create: true });
    await dbs.close();
  }

  const exists = async (url: string) => {
    const dbs = createDatabaseContext({ apiDatabaseConnection: url, cwd: env.dir });
    try {
      return await dbs.exists('api', url);
    } finally {
      await dbs.close();
    }
  };

  /** One error line on stderr (after -q's silence), no "unexpected error", ending with `fix`. */
  function expectGuidance(result: CliResult, code: number, start: RegExp, fix: string): void {
    expect(result.code).toBe(code);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(start);
    expect(lines[0].endsWith(fix)).toBe(true);
    expect(result.stderr).not.toMatch(/unexpected error|\n\s+at /);
  }

  it('an API database that does not exist yet names api-db sync, and creates nothing', async () => {
    const api = env.newUrl('api');
    const cell = env.newUrl('cell');
    for (const argv of [['cell', 'list'], ['host', 'list'], ['cell', 'create', '--name', 'c', '--transport-url', 'rabbit://c@mq/'], ['cell0', 'setup'], ['db', 'sync', '--all-cells']]) {
      expectGuidance(await cli('-q', ...at(api, cell), ...argv), 255, /^cellctl: error: API database \S+ does not exist yet/, ': create it with `cellctl api-db sync`');
    }
    expect([await exists(api), await exists(cell)]).toEqual([false, false]);
  });

  it('an empty API database (none of Nova\'s tables) names api-db sync, which then works', async () => {
    const api = env.newUrl('api');
    await emptyDatabase(api);
    for (const argv of [['cell', 'list'], ['host', 'discover'], ['map-instances', '--all-cells'], ['online-data-migrations']]) {
      expectGuidance(
        await cli('-q', '--api-db', api, ...argv),
        255,
        /^cellctl: error: API database \S+ is empty \(none of Nova's tables\)/,
        ": create Nova's API schema with `cellctl api-db sync`",
      );
    }
    expect(Object.keys(await dumpSchema(api))).toEqual([]);
    // api-db version reports the status (0), and names the fix in a notice.
    const version = await cli('-f', 'value', '-c', 'status', '--api-db', api, '--db', api, 'api-db', 'version');
    expect([version.code, version.stdout]).toEqual([0, 'empty\n']);
    expect(version.stderr).toMatch(/^API database \S+: none of Nova's tables; create Nova's schema with `cellctl api-db sync`$/m);
    expect((await cli('-q', '--api-db', api, 'api-db', 'sync')).code).toBe(0);
    expect(await cli('-q', '--api-db', api, '-f', 'json', 'cell', 'list')).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
  });

  describe('the API and cell URLs swapped', () => {
    let api: string;
    let cell: string;
    beforeAll(async () => {
      api = env.newUrl('api');
      cell = env.newUrl('cell');
      await createNovaDatabase(api, 'api', env.dir);
      await createNovaDatabase(cell, 'cell', env.dir);
    });
    const swap = 'if [api_database] connection (--api-db) and [database] connection (--db) are swapped, swap them';

    it('a listing on a cell database as the API database says so and names the swap', async () => {
      for (const argv of [['cell', 'list'], ['host', 'list'], ['cell', 'show', 'x']]) {
        expectGuidance(await cli('-q', ...at(cell, api), ...argv), 255, /^cellctl: error: API database \S+ holds Nova's cell schema, not the API schema: /, swap);
      }
    });

    it('api-db version and db version report the revision (0) and name the swap in a notice', async () => {
      const apiVersion = await cli('-f', 'value', '-c', 'revision', ...at(cell, api), 'api-db', 'version');
      expect([apiVersion.code, apiVersion.stdout]).toEqual([0, `${NOVA_CELL_REVISION}\n`]);
      expect(apiVersion.stderr).toMatch(new RegExp(`^API database \\S+: holds Nova's cell schema, not the API schema; ${swap.replace(/[[\]()]/g, '\\$&')}$`, 'm'));
      const cellVersion = await cli('-f', 'value', '-c', 'revision', ...at(cell, api), 'db', 'version');
      expect([cellVersion.code, cellVersion.stdout]).toEqual([0, `${NOVA_API_REVISION}\n`]);
      expect(cellVersion.stderr).toMatch(/^\[database\] \S+: holds Nova's API schema, not the cell schema; if \[database\] connection/m);
    });

    it("api-db sync on a cell database refuses (2) and names the swap, not Nova's api_db sync; db sync on the API database likewise", async () => {
      const before = [await dumpSchema(api), await dumpSchema(cell)];
      const apiSync = await cli('-q', ...at(cell, api), 'api-db', 'sync');
      expectGuidance(
        apiSync,
        2,
        new RegExp(`^cellctl: error: API database \\S+ holds Nova's cell schema \\(revision ${NOVA_CELL_REVISION}\\), not the API schema: cellctl changes nothing; `),
        swap,
      );
      expect(apiSync.stderr).not.toContain('nova-manage');
      const cellSync = await cli('-q', ...at(cell, api), 'db', 'sync');
      expectGuidance(
        cellSync,
        2,
        new RegExp(`^cellctl: error: cell database \\S+ holds Nova's API schema \\(revision ${NOVA_API_REVISION}\\), not the cell schema: cellctl changes nothing; `),
        'if [database] connection (--db) and [api_database] connection (--api-db) are swapped, swap them',
      );
      expect(cellSync.stderr).not.toContain('nova-manage');
      expect([await dumpSchema(api), await dumpSchema(cell)]).toEqual(before);
      // Swapped back, both are fine.
      expect((await cli('-q', ...at(api, cell), 'db', 'sync')).code).toBe(0);
    });
  });

  describe('a mapped cell', () => {
    let api: string;
    beforeAll(async () => {
      api = env.newUrl('api');
      await createNovaDatabase(api, 'api', env.dir);
    });
    const create = async (name: string, database: string) =>
      expect((await cli('-q', '--api-db', api, 'cell', 'create', '--name', name, '--transport-url', `rabbit://${name}@mq/`, '--database-connection', database)).code).toBe(0);
    const rowOf = (result: CliResult, name: string) => (JSON.parse(result.stdout) as Array<Record<string, string | null>>).find((r) => r.cell === name || r.cell_name === name)!;

    it('whose database does not exist yet: every command names db sync --cell C; its dry run says the database would be created', async () => {
      const database = env.newUrl('later');
      await create('later', database);
      const fix = ': create it with `cellctl db sync --cell later`';
      for (const argv of [['host', 'discover'], ['db', 'version', '--all-cells'], ['map-instances', '--all-cells']]) {
        const result = await cli('-q', '--api-db', api, '-f', 'json', ...argv);
        expect({ argv, code: result.code }).toEqual({ argv, code: 255 });
        expect(rowOf(result, 'later').error).toMatch(/^cell database \S+ does not exist yet: create it with `cellctl db sync --cell later`$/);
        expect(result.stderr.trimEnd().endsWith(fix)).toBe(true);
      }
      const dry = await cli('--api-db', api, 'db', 'sync', '--cell', 'later', '--dry-run');
      expect(dry.code).toBe(0);
      expect(dry.stderr).toMatch(new RegExp(`^cell later \\S+: would create the database, then Nova schema ${NOVA_CELL_REVISION} \\(110 tables\\); dry run, nothing written$`, 'm'));
      expect(await exists(database)).toBe(false);
      expect((await cli('-q', '--api-db', api, 'db', 'sync', '--cell', 'later')).code).toBe(0);
      expect((await cli('-q', '--api-db', api, 'host', 'discover', '--cell', 'later')).code).toBe(0);
    });

    it('whose database is empty names db sync --cell C', async () => {
      const database = env.newUrl('bare');
      await emptyDatabase(database);
      await create('bare', database);
      const result = await cli('-q', '--api-db', api, 'host', 'discover', '--cell', 'bare');
      expectGuidance(result, 255, /^cellctl: error: cell bare \(\S+\): cell database \S+ is empty \(none of Nova's tables\)/, ": create Nova's cell schema with `cellctl db sync --cell bare`");
    });

    it('whose database is the API database names cell update', async () => {
      await create('wrong', api);
      const result = await cli('-q', '--api-db', api, '-f', 'json', 'host', 'discover', '--cell', 'wrong');
      expect(result.code).toBe(255);
      expect(rowOf(result, 'wrong').error).toMatch(
        /^cell database \S+ holds Nova's API schema, not the cell schema: give cell wrong its own cell database with `cellctl cell update wrong --database-connection URL`$/,
      );
    });
  });

  describe('simple-cell-setup on a fresh deployment (no database exists yet)', () => {
    const fresh = () => {
      const api = env.newUrl('api');
      const cell = env.newUrl('nova');
      const conf = join(env.dir, `fresh-${Math.random().toString(36).slice(2)}.conf`);
      writeFileSync(conf, `[DEFAULT]\ntransport_url = rabbit://nova:pw@mq/\n[api_database]\nconnection = ${api}\n[database]\nconnection = ${cell}\n`);
      return { api, cell, cell0: cell.replace(/_nova(\.sqlite)?(\?|$)/, '_nova_cell0$1$2'), setup: (globals: string[] = [], options: string[] = []) => runCli(['--config-file', conf, ...globals, 'simple-cell-setup', ...options], { cwd: env.dir }) };
    };

    it('--dry-run says every database would be created, and creates none', async () => {
      const d = fresh();
      const result = await d.setup([], ['--dry-run']);
      expect(result.code).toBe(0);
      expect(result.stderr.split('\n')).toEqual([
        expect.stringMatching(new RegExp(`^API database \\S+: would create the database, then Nova schema ${NOVA_API_REVISION} \\(32 tables\\); dry run, nothing written$`)),
        'cell0 would be mapped: 00000000-0000-0000-0000-000000000000 (its database would be created too)',
        'cell cell1 would be created for [database] (its database would be created too)',
        '',
      ]);
      expect([await exists(d.api), await exists(d.cell), await exists(d.cell0)]).toEqual([false, false, false]);
    });

    it('creates the API schema, cell0 and cell1 with their schemas, as its help says', async () => {
      const d = fresh();
      const result = await d.setup(['-f', 'json']);
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(new RegExp(`^API database \\S+: created Nova schema ${NOVA_API_REVISION} \\(32 tables\\)$`, 'm'));
      expect(JSON.parse(result.stdout).map((r: { name: string; status: string }) => [r.name, r.status])).toEqual([
        ['cell0', 'ok'],
        ['cell1', 'ok'],
      ]);
      expect([Object.keys(await dumpSchema(d.api)).length, Object.keys(await dumpSchema(d.cell)).length, Object.keys(await dumpSchema(d.cell0)).length]).toEqual([32, 110, 110]);
      const again = await d.setup();
      expect(again.code).toBe(0);
      expect(again.stderr).not.toMatch(/API database/);
    });

    it("refuses a cell database of another schema before creating the API schema: nothing written (3)", async () => {
      const d = fresh();
      await createNovaDatabase(d.cell, 'api', env.dir);
      const result = await d.setup();
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/cell database \S+ holds Nova's API schema/);
      expect(await exists(d.api)).toBe(false);
      expect(await exists(d.cell0)).toBe(false);
    });
  });

});

describe('first-run guidance on the embedded deployment', () => {
  it('a home that does not exist yet holds databases to create, on a dry run too, and names api-db sync', async () => {
    const home = join(runDir(), `embedded-first-run-${process.pid}`);
    const result = await runCli(['api-db', 'sync', '--dry-run'], { env: { CELLCTL_HOME: home } });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^API database \S+: would create the database, then Nova schema /m);
    expect(existsSync(home)).toBe(false);
    const list = await runCli(['-q', 'cell', 'list'], { env: { CELLCTL_HOME: home } });
    expect([list.code, list.stderr]).toEqual([255, `cellctl: error: API database sqlite:///${join(home, 'nova_api.sqlite')} does not exist yet: create it with \`cellctl api-db sync\`\n`]);
  });
});
