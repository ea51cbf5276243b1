/**
 * Nova's own nova-manage as a test oracle (../shared/reference/nova-oracle.md). Nova needs
 * 2-4 s per call, so Nova-made databases are built once per run and copied per test.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDatabaseUrl } from '../../src/domain/database-url';
import type { TestDialect } from './dialect-matrix';
import { mysqlUrlFor, withAdmin } from './mysql-admin';
import { NOVA_PYTHON, novaAvailable, runDir, runId } from './test-environment';

export interface NovaResult {
  status: number;
  stdout: string;
  /** stderr without the eventlet monkey-patching warning Nova prints on every start. */
  stderr: string;
}

/** describe() when Nova is installed, describe.skip otherwise (global setup printed why). */
export const describeWithNova = (): jest.Describe => (novaAvailable() ? describe : describe.skip);

/** Writes a nova.conf Nova can run with offline (`defaults`: more [DEFAULT] options); returns its path. */
export function writeNovaConf(dir: string, settings: { api: string; db?: string; transport?: string; defaults?: Record<string, string> }): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'nova.conf');
  const lines = [
    '[DEFAULT]',
    `transport_url = ${settings.transport ?? 'rabbit://guest:guest@127.0.0.1:5672/'}`,
    `state_path = ${join(dir, 'state')}`,
    ...Object.entries(settings.defaults ?? {}).map(([key, value]) => `${key} = ${value}`),
    '[api_database]',
    `connection = ${settings.api}`,
  ];
  if (settings.db) lines.push('[database]', `connection = ${settings.db}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Runs `nova-manage --config-file <configFile> <args>` with the system Python. */
export function novaManage(configFile: string, args: string[]): NovaResult {
  const script = 'import sys; from nova.cmd.manage import main; sys.argv[0] = "nova-manage"; sys.exit(main())';
  const r = spawnSync(NOVA_PYTHON, ['-c', script, '--config-file', configFile, ...args], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (r.error) throw r.error;
  const stderr = r.stderr
    .split('\n')
    .filter((l) => !/eventlet|monkey|^\s*$/.test(l))
    .join('\n');
  return { status: r.status ?? -1, stdout: r.stdout, stderr };
}

/** Runs nova-manage and throws with its output unless it exits 0. */
export function novaManageOk(configFile: string, args: string[]): NovaResult {
  const r = novaManage(configFile, args);
  if (r.status !== 0) throw new Error(`nova-manage ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** Runs `work` once per run across all jest workers; the others wait for it to finish. */
async function oncePerRun(name: string, work: () => Promise<void>): Promise<void> {
  const lock = join(runDir(), `${name}.lock`);
  const done = join(runDir(), `${name}.done`);
  try {
    mkdirSync(lock);
  } catch {
    const deadline = Date.now() + 600_000;
    while (!existsSync(done)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${name}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    return;
  }
  await work();
  writeFileSync(done, '');
}

/** URLs of the run's Nova-made API and cell databases of one dialect (built on first call). */
export async function novaMadeDatabases(dialect: TestDialect): Promise<{ api: string; cell: string }> {
  const dir = join(runDir(), `nova-made-${dialect}`);
  const urls =
    dialect === 'sqlite'
      ? { api: `sqlite:///${join(dir, 'api.sqlite')}`, cell: `sqlite:///${join(dir, 'cell.sqlite')}` }
      : { api: `${mysqlUrlFor(`ct${runId()}_nova_api`)}?charset=utf8`, cell: `${mysqlUrlFor(`ct${runId()}_nova_cell`)}?charset=utf8` };
  await oncePerRun(`nova-made-${dialect}`, async () => {
    if (dialect === 'mysql') {
      await withAdmin(async (c) => {
        for (const url of [urls.api, urls.cell]) await c.query(`CREATE DATABASE \`${databaseOf(url)}\``);
      });
    }
    const conf = writeNovaConf(dir, { api: urls.api, db: urls.cell });
    novaManageOk(conf, ['api_db', 'sync']);
    novaManageOk(conf, ['db', 'sync', '--local_cell']);
  });
  return urls;
}

function databaseOf(url: string): string {
  const parsed = parseDatabaseUrl(url, '/');
  if (parsed.dialect !== 'mysql' || !parsed.database) throw new Error(`not a MySQL database URL: ${url}`);
  return parsed.database;
}

/**
 * Copies a database made by Nova (or anyone) to a new one the caller may change: the SQLite
 * file, or on MySQL every table via SHOW CREATE TABLE (keys and constraint names intact) and data.
 */
export async function copyDatabase(from: string, to: string): Promise<void> {
  const source = parseDatabaseUrl(from, '/');
  const target = parseDatabaseUrl(to, '/');
  if (source.dialect === 'sqlite' && target.dialect === 'sqlite') {
    copyFileSync(source.path, target.path);
    // A database still open in WAL mode keeps its latest commits in the -wal file.
    if (existsSync(`${source.path}-wal`)) copyFileSync(`${source.path}-wal`, `${target.path}-wal`);
    return;
  }
  const src = databaseOf(from);
  const dst = databaseOf(to);
  await withAdmin(async (c) => {
    await c.query(`CREATE DATABASE \`${dst}\``);
    await c.query('SET SESSION foreign_key_checks = 0');
    const [tables] = await c.query('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ?', [src]);
    for (const { name } of tables as Array<{ name: string }>) {
      const [rows] = await c.query(`SHOW CREATE TABLE \`${src}\`.\`${name}\``);
      const ddl = (rows as Array<Record<string, string>>)[0]['Create Table'];
      await c.query(`USE \`${dst}\``);
      await c.query(ddl);
      await c.query(`INSERT INTO \`${dst}\`.\`${name}\` SELECT * FROM \`${src}\`.\`${name}\``);
    }
  });
}

/**
 * novaManage without blocking the event loop, so that independent Nova runs (on different
 * deployments) can overlap; same result shape.
 */
export function novaManageAsync(configFile: string, args: string[]): Promise<NovaResult> {
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  const script = 'import sys; from nova.cmd.manage import main; sys.argv[0] = "nova-manage"; sys.exit(main())';
  return new Promise((resolvePromise, reject) => {
    const child = spawn(NOVA_PYTHON, ['-c', script, '--config-file', configFile, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) =>
      resolvePromise({ status: status ?? -1, stdout, stderr: stderr.split('\n').filter((l) => !/eventlet|monkey|^\s*$/.test(l)).join('\n') }),
    );
  });
}
