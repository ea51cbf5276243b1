/**
 * Cells that fail never look like cells that finished: with one cell at a closed port, one at a
 * listener that accepts and never answers, and (on SQLite) one locked by another process's write
 * transaction, the commands over every cell process the good cells, report the bad ones as
 * failed or timed-out with a masked error in table and JSON output, exit with the documented
 * code, and end instead of hanging.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { insertCellMapping, insertComputeNode, insertInstances } from '../support/cell-fixtures';
import { runCli } from '../support/cli-runner';
import mysql from 'mysql2/promise';
import { describeEachDialect } from '../support/dialect-matrix';
import { adminOptions } from '../support/mysql-admin';

const PASSWORD = 'celldownpw';
const CONNECT_TIMEOUT_S = 2;
// NOTE: not a timing assertion: a bound far above the connect timeout, which a command that
// waits on a silent server (before: until the server answered, or for ever) cannot meet.
const HANG_GUARD_MS = (CONNECT_TIMEOUT_S + 15) * 1000;

interface Row {
  cell: string | null;
  cell_name?: string | null;
  host?: string | null;
  status?: string;
  action?: string;
  error: string | null;
}

describeEachDialect('commands over every cell, with cells that fail', (env) => {
  let conf: string;
  let dbs: DatabaseContext;
  let silent: Server;
  const sockets: Socket[] = [];
  let closedPort: number;
  let silentPort: number;

  const cli = (...argv: string[]) => runCli(['--config-file', conf, '--connect-timeout', String(CONNECT_TIMEOUT_S), ...argv], { cwd: env.dir });
  const timed = async (...argv: string[]) => {
    const started = Date.now();
    const result = await cli(...argv);
    return { ...result, ms: Date.now() - started };
  };

  beforeAll(async () => {
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as { port: number }).port;
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closedPort = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));

    const api = env.newUrl('api');
    const local = env.newUrl('nova');
    conf = join(env.dir, 'failures.conf');
    writeFileSync(conf, `[DEFAULT]\ntransport_url = rabbit://nova:pw@mq/\n[api_database]\nconnection = ${api}\n[database]\nconnection = ${local}\n`);
    expect((await cli('-q', 'api-db', 'sync')).code).toBe(0);
    expect((await cli('-q', 'simple-cell-setup')).code).toBe(0);
    dbs = createDatabaseContext({ apiDatabaseConnection: api, databaseConnection: local, cwd: env.dir });
    const cellDb = (await dbs.localCell()).db;
    await insertInstances(cellDb, 5);
    await insertComputeNode(cellDb, { host: 'good-host' });
    const apiDb = (await dbs.api()).db;
    await insertCellMapping(apiDb, { name: 'refused', databaseConnection: `mysql+pymysql://nova:${PASSWORD}@127.0.0.1:${closedPort}/nova` });
    await insertCellMapping(apiDb, { name: 'silent', databaseConnection: `mysql+pymysql://nova:${PASSWORD}@127.0.0.1:${silentPort}/nova` });
  });

  afterAll(async () => {
    await dbs.close();
    sockets.forEach((s) => s.destroy());
    await new Promise((resolve) => silent.close(resolve));
  });

  /** The rows of the bad cells, by name, and checks that hold for every command. */
  function checkBadCells(result: { code: number; stdout: string; stderr: string; ms: number }, nameKey: 'cell' | 'cell_name'): Map<string, Row> {
    expect(result.ms).toBeLessThan(HANG_GUARD_MS);
    expect(result.code).toBe(255);
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
    const rows = JSON.parse(result.stdout) as Row[];
    const bad = new Map(rows.filter((r) => ['refused', 'silent'].includes(String(r[nameKey]))).map((r) => [String(r[nameKey]), r]));
    expect([...bad.keys()].sort()).toEqual(['refused', 'silent']);
    for (const row of bad.values()) {
      expect(['failed', 'timed-out']).toContain(row.status ?? row.action);
      expect(row.error).toMatch(/cannot reach database mysql\+pymysql:\/\/nova:\*\*\*\*@127\.0\.0\.1:\d+\/nova/);
    }
    expect(bad.get('refused')!.error).toMatch(/connection refused/);
    expect(bad.get('silent')!.error).toMatch(/no answer within 2 s|timed out/);
    return bad;
  }

  it('map-instances --all-cells maps the good cells and reports the bad ones failed, never as zeros', async () => {
    const result = await timed('-f', 'json', 'map-instances', '--all-cells');
    checkBadCells(result, 'cell');
    const rows = JSON.parse(result.stdout) as Array<Row & { found: number | null; remaining: number | null }>;
    expect(rows.find((r) => r.cell === 'cell1')).toMatchObject({ status: 'ok', found: 5, mapped: 5, remaining: 0, error: null });
    for (const bad of rows.filter((r) => r.status !== 'ok')) expect([bad.found, bad.remaining]).toEqual([null, null]);
    const table = await timed('map-instances', '--all-cells');
    expect(table.stdout).toMatch(/\| refused +\| [0-9a-f-]{36} \| failed +\|/);
    expect(table.stdout).toMatch(/\| cell1 +\| [0-9a-f-]{36} \| ok +\|/);
    expect(table.stdout).toMatch(/cannot reach database mysql\+pymysql:\/\/nova:\*\*\*\*@/);
  });

  it('db version --all-cells reads the good cells; a cell past --cell-timeout is timed-out', async () => {
    const result = await timed('-f', 'json', 'db', 'version', '--all-cells');
    checkBadCells(result, 'cell');
    expect((JSON.parse(result.stdout) as Row[]).filter((r) => r.status === 'current').map((r) => r.cell)).toEqual(['cell0', 'cell1']);
    const short = await timed('-f', 'json', 'db', 'version', '--all-cells', '--cell-timeout', '0.5');
    const silentRow = (JSON.parse(short.stdout) as Row[]).find((r) => r.cell === 'silent')!;
    expect(silentRow).toMatchObject({ status: 'timed-out', error: expect.stringMatching(/did not answer within 0.5 s/) });
    expect(short.code).toBe(255);
    // The deadline ends the run even when connecting would take longer: the cell's connection is
    // closed at the deadline, not left to the connect timeout (which kept the process alive).
    const patient = await timed('-f', 'json', '--connect-timeout', '60', 'db', 'version', '--all-cells', '--cell-timeout', '1');
    expect(patient.ms).toBeLessThan(HANG_GUARD_MS);
    expect((JSON.parse(patient.stdout) as Row[]).find((r) => r.cell === 'silent')).toMatchObject({ status: 'timed-out' });
    const table = await timed('db', 'version', '--all-cells');
    expect(table.stdout).toMatch(/\| silent +\| [0-9a-f-]{36} \| mysql\+pymysql:\/\/nova:\*\*\*\*@127\.0\.0\.1:\d+\/nova +\| +\| failed +\|/);
  });

  it('db sync --all-cells syncs the good cells and reports the bad ones', async () => {
    const result = await timed('-f', 'json', 'db', 'sync', '--all-cells');
    checkBadCells(result, 'cell');
    expect((JSON.parse(result.stdout) as Row[]).filter((r) => r.action === 'unchanged').map((r) => r.cell)).toEqual(['cell0', 'cell1']);
  });

  it('host discover maps the good cells and lists the bad ones with their status', async () => {
    const result = await timed('-f', 'json', 'host', 'discover');
    const bad = checkBadCells(result, 'cell_name');
    for (const row of bad.values()) expect(row).toMatchObject({ host: null });
    expect((JSON.parse(result.stdout) as Array<Row & { host: string }>).find((r) => r.host === 'good-host')).toMatchObject({ cell_name: 'cell1', status: 'ok', error: null });
  });

  if (env.dialect === 'mysql') {
    it('bounds a statement blocked by a MariaDB table lock: --lock-timeout for writes, --cell-timeout for reads', async () => {
      const { url } = await dbs.localCell();
      const locker = await mysql.createConnection({ ...adminOptions(), database: url.dialect === 'mysql' ? url.database : undefined });
      try {
        await insertInstances((await dbs.localCell()).db, 2);
        await locker.query('LOCK TABLES instances WRITE, alembic_version WRITE, compute_nodes WRITE');
        const mapping = await timed('-f', 'json', '--lock-timeout', '2', 'map-instances', '--all-cells');
        expect(mapping.ms).toBeLessThan(HANG_GUARD_MS);
        expect(mapping.code).toBe(255);
        const rows = JSON.parse(mapping.stdout) as Array<Row & { found: number | null }>;
        expect(rows.find((r) => r.cell === 'cell1')).toMatchObject({ status: 'failed', found: null, error: expect.stringMatching(/is locked by another session/) });
        expect(rows.find((r) => r.cell === 'cell0')).toMatchObject({ status: 'ok' });
        const reading = await timed('-f', 'json', 'db', 'version', '--all-cells', '--cell-timeout', '1');
        expect(reading.ms).toBeLessThan(HANG_GUARD_MS);
        expect((JSON.parse(reading.stdout) as Row[]).find((r) => r.cell === 'cell1')).toMatchObject({ status: 'timed-out' });
      } finally {
        await locker.end();
      }
    });
  }

  if (env.dialect === 'sqlite') {
    it('waits for a locked SQLite API database once per run, not once per cell', async () => {
      const dir = join(env.dir, 'api-locked');
      mkdirSync(dir);
      const lockedConf = join(dir, 'nova.conf');
      writeFileSync(lockedConf, `[DEFAULT]\ntransport_url = rabbit://nova:pw@mq/\n[api_database]\nconnection = sqlite:///${dir}/api.sqlite\n[database]\nconnection = sqlite:///${dir}/c1.sqlite\n`);
      const run = (...argv: string[]) => runCli(['--config-file', lockedConf, ...argv], { cwd: dir });
      expect((await run('-q', 'api-db', 'sync')).code).toBe(0);
      for (const name of ['c1', 'c2', 'c3', 'c4']) {
        expect((await run('-q', 'cell', 'create', '--name', name, '--database-connection', `sqlite:///${dir}/${name}.sqlite`, '--transport-url', `rabbit://a@${name}/`)).code).toBe(0);
      }
      expect((await run('-q', 'db', 'sync', '--all-cells')).code).toBe(0);
      const cells = createDatabaseContext({ apiDatabaseConnection: `sqlite:///${dir}/api.sqlite`, cwd: dir });
      try {
        for (const name of ['c1', 'c2', 'c3', 'c4']) await insertInstances((await cells.cellDatabase({ uuid: name, name, databaseConnection: `sqlite:///${dir}/${name}.sqlite` })).db, 3);
      } finally {
        await cells.close();
      }
      const locker = await lockSqlite(`${dir}/api.sqlite`, 'UPDATE cell_mappings SET name = name');
      try {
        const started = Date.now();
        const result = await run('-f', 'json', '--lock-timeout', '3', 'map-instances', '--all-cells');
        // NOTE: a guard, not a timing assertion: four cells waiting in turn would take 12 s or more.
        expect(Date.now() - started).toBeLessThan(9000);
        expect(result.code).toBe(255);
        expect((JSON.parse(result.stdout) as Row[]).map((r) => [r.cell, r.status])).toEqual([
          ['c1', 'failed'],
          ['c2', 'failed'],
          ['c3', 'failed'],
          ['c4', 'failed'],
        ]);
      } finally {
        locker.kill('SIGKILL');
      }
    });

    it('reports a SQLite cell locked by another process within the lock timeout while the other cells finish', async () => {
      const { url } = await dbs.localCell();
      const locker = await lockSqlite(url.dialect === 'sqlite' ? url.path : '', 'UPDATE compute_nodes SET mapped = mapped');
      try {
        const result = await timed('-f', 'json', '--lock-timeout', '1', 'db', 'sync', '--all-cells');
        expect(result.ms).toBeLessThan(HANG_GUARD_MS);
        expect(result.code).toBe(255);
        const rows = JSON.parse(result.stdout) as Row[];
        expect(rows.find((r) => r.cell === 'cell0')).toMatchObject({ action: 'unchanged', error: null });
        expect(rows.find((r) => r.cell === 'cell1')).toMatchObject({ action: 'failed', error: expect.stringMatching(/is locked by another session: gave up waiting for its write lock after 1 s/) });
      } finally {
        locker.kill('SIGKILL');
      }
    });

    it('host discover reports the hosts it mapped in a cell whose compute nodes it then could not mark', async () => {
      const { url, db } = await dbs.localCell();
      await insertComputeNode(db, { host: 'locked-host' });
      const hostMappings = async () => (await (await dbs.api()).db.selectFrom('host_mappings').select('host').execute()).map((r) => r.host);
      const before = await hostMappings();
      const locker = await lockSqlite(url.dialect === 'sqlite' ? url.path : '', 'UPDATE compute_nodes SET mapped = mapped');
      let result;
      try {
        result = await timed('-f', 'json', '--lock-timeout', '1', 'host', 'discover', '--cell', 'cell1');
      } finally {
        locker.kill('SIGKILL');
      }
      expect(result.code).toBe(255);
      const rows = JSON.parse(result.stdout) as Row[];
      // Every host mapping this run wrote is in the output: nothing written goes unreported.
      const written = (await hostMappings()).filter((h) => !before.includes(h));
      expect(written).toContain('locked-host');
      expect(rows.filter((r) => r.host !== null).map((r) => [r.host, r.cell_name, r.status])).toEqual(written.sort().map((h) => [h, 'cell1', 'ok']));
      expect(rows).toContainEqual(expect.objectContaining({ host: null, cell_name: 'cell1', status: 'failed', error: expect.stringMatching(/locked/) }));
      expect(result.stderr).toMatch(/mapped [1-9]\d* new hosts? \(1 of 1 cell failed\)/);
      // The next run marks the nodes of the host it mapped before.
      expect((await cli('-q', 'host', 'discover', '--cell', 'cell1')).code).toBe(0);
      expect(await db.selectFrom('compute_nodes').select('mapped').where('host', '=', 'locked-host').executeTakeFirst()).toEqual({ mapped: 1 });
    });

    it('--debug map-instances logs the INSERT statements of the SQLite fast path', async () => {
      await insertInstances((await dbs.localCell()).db, 3);
      const result = await cli('--debug', 'map-instances', '--cell', 'cell1');
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/cellctl: debug: sql \([\d.]+ ms\): INSERT OR IGNORE INTO "instance_mappings" .*prepared, run for \d+ row\(s\)/);
    });
  }
});

/** A process holding a write transaction on a SQLite file until killed; resolves once it holds it. */
async function lockSqlite(path: string, write: string): Promise<ChildProcess> {
  const script = `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(path)}); db.exec('BEGIN IMMEDIATE'); db.exec(${JSON.stringify(write)}); process.stdout.write('locked\\n'); setInterval(() => undefined, 1000);`;
  const child = spawn(process.execPath, ['-e', script], { cwd: join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    child.on('exit', (code) => reject(new Error(`the locking process exited (${code})`)));
  });
  return child;
}
