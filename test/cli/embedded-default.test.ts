/**
 * The embedded default (product.md): with no configuration, cellctl writes nova.conf under its
 * home on first use, announces it, and from then on reads it like any file; Nova's own
 * nova-manage takes over the same deployment.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NOVA_API_REVISION, NOVA_CELL_REVISION } from '../../src/domain/constants';
import { NO_SYSTEM_ROOT, runCli } from '../support/cli-runner';
import { describeWithNova, novaManage, novaManageOk } from '../support/nova-oracle';
import { dumpSchema } from '../support/schema-dump';
import { runDir } from '../support/test-environment';

const lastLine = (text: string): string => text.trim().split('\n').pop() ?? '';

describe('the embedded default', () => {
  let home: string;
  const cli = (...argv: string[]) => runCli(argv, { env: { CELLCTL_HOME: home } });

  beforeEach(() => {
    home = mkdtempSync(join(runDir(), 'embedded-'));
  });

  it('is created on first use, announced once on stderr, and synced twice without change', async () => {
    const first = await cli('api-db', 'sync');
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(`created the embedded deployment configuration ${join(home, 'nova.conf')}`);
    expect(readFileSync(join(home, 'nova.conf'), 'utf8')).toContain(`connection = sqlite:///${join(home, 'nova_api.sqlite')}`);
    expect((await cli('db', 'sync')).code).toBe(0);
    expect(existsSync(join(home, 'nova.sqlite'))).toBe(true);

    const before = [await dumpSchema(`sqlite:///${join(home, 'nova_api.sqlite')}`), await dumpSchema(`sqlite:///${join(home, 'nova.sqlite')}`)];
    const again = [await cli('-f', 'value', '-c', 'action', 'api-db', 'sync'), await cli('-f', 'value', '-c', 'action', 'db', 'sync')];
    expect(again.map((r) => [r.code, r.stdout])).toEqual([[0, 'unchanged\n'], [0, 'unchanged\n']]);
    expect(again.map((r) => r.stderr).join('')).not.toContain('created the embedded');
    expect([await dumpSchema(`sqlite:///${join(home, 'nova_api.sqlite')}`), await dumpSchema(`sqlite:///${join(home, 'nova.sqlite')}`)]).toEqual(before);
  });

  it('is not written by a command that refuses its input', async () => {
    const fresh = join(home, 'fresh');
    const refuse = (...argv: string[]) => runCli(argv, { env: { CELLCTL_HOME: fresh } });
    for (const argv of [
      ['cell', 'list', '--no-such-flag'],
      ['-f', 'xml', 'cell', 'list'],
      ['db', 'sync', '--cell', 'x', '--all-cells'],
      ['map-instances', '--max-count', '0', '--all-cells'],
      ['host', 'discover', '--timeout', '5'],
      ['--connect-timeout', 'never', 'cell', 'list'],
      ['cell', 'create', '--name', 'c', '--transport-url', 'rabbit//nocolon', '--database-connection', 'sqlite:////tmp/c.sqlite'],
      ['cell', 'create', '--name', 'c', '--transport-url', 'rabbit://h/', '--database-connection', 'postgresql://h/nova'],
      ['cell0', 'setup', '--database-connection', 'nonsense'],
      ['--api-db', 'nonsense', 'cell', 'list'],
      ['simple-cell-setup', '--transport-url', 'rabbit//nocolon'],
    ]) {
      const result = await refuse(...argv);
      expect([argv.join(' '), result.code, existsSync(fresh)]).toEqual([argv.join(' '), expect.any(Number), false]);
      expect(result.code).not.toBe(0);
    }
    // ... nor by commands that reach no database of the embedded deployment, or refuse what they find there.
    const other = join(home, 'elsewhere');
    mkdirSync(other);
    writeFileSync(join(other, 'foreign.sqlite'), '');
    const elsewhere = [`--api-db`, `sqlite:///${join(other, 'api.sqlite')}`, `--db`, `sqlite:///${join(other, 'cell.sqlite')}`];
    for (const argv of [
      [...elsewhere, 'api-db', 'sync', '--dry-run'],
      [...elsewhere, '-q', 'api-db', 'sync'],
      [...elsewhere, 'cell', 'show', 'nosuch'],
      ['cell', 'show', 'nosuch'],
      ['api-db', 'sync', '--dry-run'],
    ]) {
      const result = await refuse(...argv);
      expect([argv.join(' '), result.stderr]).not.toEqual([argv.join(' '), expect.stringContaining('created the embedded')]);
      expect([argv.join(' '), existsSync(join(fresh, 'nova.conf'))]).toEqual([argv.join(' '), false]);
    }
    // ... and written by the first one that creates a database of it.
    expect((await refuse('api-db', 'sync')).stderr).toContain('created the embedded deployment configuration');
    expect(existsSync(join(fresh, 'nova.conf'))).toBe(true);
  });

  it('keeps the file values a flag does not override', async () => {
    await cli('-q', 'api-db', 'sync');
    const other = join(home, 'other_api.sqlite');
    expect((await cli('--api-db', `sqlite:///${other}`, 'api-db', 'sync')).code).toBe(0);
    expect(existsSync(other)).toBe(true);
    expect((await cli('-f', 'value', '-c', 'database', 'db', 'version', '--dry-run').then(() => cli('-f', 'value', '-c', 'action', 'db', 'sync', '--dry-run'))).stdout).toBe('would-create\n');
  });

  describeWithNova()("with Nova's own nova-manage", () => {
    it("is taken over by Nova: its syncs find nothing to do, and it reads and writes cell mappings cellctl reads", async () => {
      await cli('-q', 'api-db', 'sync');
      await cli('-q', 'db', 'sync');
      const conf = join(home, 'nova.conf');
      const api = `sqlite:///${join(home, 'nova_api.sqlite')}`;
      const cell = `sqlite:///${join(home, 'nova.sqlite')}`;
      const before = [await dumpSchema(api), await dumpSchema(cell)];

      const apiSync = novaManageOk(conf, ['api_db', 'sync']);
      const cellSync = novaManageOk(conf, ['db', 'sync', '--local_cell']);
      // Nova logs to stdout here: an upgrade it had to run would say `Running upgrade` there.
      expect(apiSync.stdout + apiSync.stderr + cellSync.stdout + cellSync.stderr).not.toMatch(/Running upgrade/);
      expect([await dumpSchema(api), await dumpSchema(cell)]).toEqual(before);
      expect(lastLine(novaManageOk(conf, ['api_db', 'version']).stdout)).toBe(NOVA_API_REVISION);
      expect(lastLine(novaManageOk(conf, ['db', 'version']).stdout)).toBe(NOVA_CELL_REVISION);

      // Nova maps cell0 into cellctl's API database; cellctl reads the mapping and creates cell0's schema.
      novaManageOk(conf, ['cell_v2', 'map_cell0']);
      const synced = await cli('-f', 'json', 'db', 'sync', '--all-cells');
      expect(synced.code).toBe(0);
      expect(JSON.parse(synced.stdout)).toEqual([
        expect.objectContaining({ cell: 'cell0', cell_uuid: '00000000-0000-0000-0000-000000000000', action: 'created', revision: NOVA_CELL_REVISION }),
      ]);
      // ... and Nova's own db sync, which syncs cell0 through its mapping, finds nothing to do there.
      const novaSync = novaManage(conf, ['db', 'sync']);
      expect(novaSync.status).toBe(0);
      expect(novaSync.stdout + novaSync.stderr).not.toMatch(/Running upgrade/);
      const listed = novaManageOk(conf, ['cell_v2', 'list_cells', '--verbose']).stdout;
      expect(listed).toMatch(/\| +cell0 +\| 00000000-0000-0000-0000-000000000000 \|/);
    });
  });
});

describe('an embedded home that cannot be created', () => {
  // A separate process with a deadline: Node's recursive mkdir never returns under /proc, which
  // would hang this test runner itself.
  const cellctlWithin = (env: Record<string, string>, seconds: number) =>
    spawnSync(process.execPath, [join(__dirname, '..', '..', 'bin', 'cellctl'), 'api-db', 'sync'], {
      env: { PATH: process.env.PATH, HOME: '/nonexistent-home', CELLCTL_SYSTEM_ROOT: NO_SYSTEM_ROOT, ...env },
      cwd: '/',
      timeout: seconds * 1000,
      encoding: 'utf8',
    });

  it.each([
    ['CELLCTL_HOME under /proc', { CELLCTL_HOME: '/proc/cellctl-test/home' }],
    ['HOME=/proc', { HOME: '/proc' }],
    ['XDG_DATA_HOME=/proc', { XDG_DATA_HOME: '/proc' }],
    ['a home below a regular file', { CELLCTL_HOME: '/etc/hostname/cellctl' }],
    ['a home that is a device', { CELLCTL_HOME: '/dev/null' }],
    ['a home that is a regular file', { CELLCTL_HOME: '/etc/hostname' }],
  ])('%s fails at once with 255 and one line naming the home, after the line naming the deployment', (_label, env) => {
    const result = cellctlWithin(env, 10);
    expect(result.error).toBeUndefined();
    expect(result.status).toBe(255);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^using the embedded deployment \/.* \(not created yet\): /),
      expect.stringMatching(/^cellctl: error: cannot create the embedded home \//),
    ]);
  });
});

describe('SQLite databases outside the embedded home', () => {
  it('are created readable by their owner only (the API database holds transport passwords)', async () => {
    const dir = mkdtempSync(join(runDir(), 'files-'));
    const api = join(dir, 'api.sqlite');
    const cell = join(dir, 'cell.sqlite');
    const conf = join(dir, 'nova.conf');
    writeFileSync(conf, `[api_database]\nconnection = sqlite:///${api}\n[database]\nconnection = sqlite:///${cell}\n`);
    const cli = (...argv: string[]) => runCli(['--config-file', conf, ...argv], { cwd: dir });
    expect((await cli('-q', 'api-db', 'sync')).code).toBe(0);
    expect((await cli('-q', 'simple-cell-setup', '--transport-url', 'rabbit://nova:pw@mq/')).code).toBe(0);
    const files = readdirSync(dir).filter((f) => f.includes('.sqlite'));
    expect(files).toEqual(expect.arrayContaining(['api.sqlite', 'cell.sqlite', 'cell_cell0.sqlite']));
    expect(files.map((f) => [f, (statSync(join(dir, f)).mode & 0o777).toString(8)])).toEqual(files.map((f) => [f, '600']));
  });
});
