/**
 * The cell0 burial benchmark (issue 12's Benchmark section; figures in docs/performance.md): how
 * fast cellctl buries N instances that no host can take, next to Nova's conductor burying as many.
 *
 * It sets up one deployment with cellctl's own commands (`api-db sync`, `db sync`, `cell0 setup`,
 * `cell create`, `flavor create`): an API database, cell0 and one cell without any compute host,
 * as MariaDB/MySQL databases named `cellctl_burybench_*` or SQLite files in a temporary directory.
 * With no host anywhere, `instance boot` buries every instance it creates. Each round, from empty
 * API instance tables and an empty cell0:
 *   1. cellctl: `instance boot --count B` run as a process N/B times (B is at most the command's
 *      limit of MAX_BOOT_COUNT): wall time summed over the processes, peak RSS the largest (GNU
 *      time). Each process does what Nova's API and conductor do together: the API rows (request
 *      spec, build request, cell-less mapping per instance, in one transaction), the scheduling
 *      simulation (nothing to read: no host), then the burial in cell0;
 *   2. the result check: every table of cell0 and the API's instance tables counted.
 * Medians over --rounds R. Then, unless --no-breakdown, one more boot of B instances with --debug,
 * whose SQL statements (each timed by cellctl, each line time-stamped as it arrives) say where the
 * time goes: before the API rows, the API rows, the burial; statements and commits per instance.
 *
 * With --nova, Nova's conductor then buries as many (or --nova-instances M) from empty again,
 * through test/support/nova-bury.py (nova-details.md §2.7): per batch of B instances one Python
 * process that creates the API rows as Nova's API does (build request, mapping, request spec per
 * instance, each its own transaction) and then calls the conductor's real
 * ComputeTaskManager._bury_in_cell0 with NoValidHost; the same request as cellctl's (flavor,
 * image as root disk, names, system metadata). Timed like cellctl (wall time, peak RSS); the
 * script also reports its setup (imports), API-row and burial seconds and SQL statements apart,
 * so the burial alone can be compared. Its counts must equal cellctl's, table by table (scaled
 * when M differs from N): a run that wrote less cannot look faster. A failing Nova run does not
 * stop the bench; the table notes it.
 *
 *   npm run build
 *   node dist/bench/cell0-burial-bench.js --dialect mysql --instances 10000 --rounds 2 --nova
 *   node dist/bench/cell0-burial-bench.js --dialect sqlite --instances 10000 --rounds 2 --nova --nova-instances 2000
 *
 * Options: --dialect mysql|sqlite (default sqlite), --instances N (default 10000), --batch B
 * (default and most MAX_BOOT_COUNT), --rounds R (default 1), --nova, --nova-instances M (default
 * N), --no-breakdown, --keep (leave the databases). The MySQL server is the one of
 * CELLCTL_BENCH_MYSQL_URL (default mysql+pymysql://root@127.0.0.1:3306). Progress and the machine's
 * load average (before and after each side) go to stderr; the settings, the tables and one JSON
 * line to stdout.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { MAX_BOOT_COUNT } from '../src/cli/commands/instance/instance-boot.command';
import { replaceDatabaseName } from '../src/domain/database-url';
import { instanceNames } from '../src/domain/instance-boot';
import { createDatabaseContext } from '../src/services/database-context.service';
import {
  CELLCTL,
  cellctl,
  cellctlRevision,
  childOptions,
  createDeployment,
  dropDeployment,
  elapsed,
  GNU_TIME,
  log,
  median,
  NOVA_PYTHON,
  novaDatabaseUrl,
  quoteMysql,
  settle,
  timeNode,
  watchCpu,
  type BenchDeployment,
  type Dialect,
} from './bench-kit';

const IMAGE = '11111111-1111-4111-8111-111111111111';
const PROJECT = 'bench-project';
const USER = 'bench-user';
const SERVER_NAME = 'bench';
const FLAVOR_ID = 'bench-f1';
/** Nova's conductor host ([DEFAULT] host) in both configurations: the fault's and event's host. */
const CONDUCTOR_HOST = 'bench-conductor';
/** nova-bury.py, from dist/bench/ (it stays in the source tree). */
const NOVA_BURY = join(__dirname, '..', '..', 'test', 'support', 'nova-bury.py');
/** One Nova batch of 1,000 took about a minute on a quiet machine: a generous limit per process. */
const NOVA_BATCH_TIMEOUT_MS = 30 * 60_000;
/** The API database's tables a boot writes. */
const API_TABLES = ['instance_mappings', 'build_requests', 'request_specs'];

/** Rows per table: every table of cell0, and the API's instance tables (mappings split by cell). */
type Census = Record<string, number>;

/** The machine's 1-minute load average before and after a side's runs. */
interface Load {
  before: number;
  after: number;
}

/** The cellctl side of one round: one `instance boot` process per batch. */
interface CellctlRound {
  seconds: number;
  /** Per process, in order. */
  batchSeconds: number[];
  /** The largest peak RSS of the processes, MiB (null without GNU time). */
  peakRssMiB: number | null;
  machineCpuPct: number | null;
  load: Load;
  census: Census;
}

/** What one phase of a run sent to the databases. */
interface PhaseStatements {
  /** Wall seconds of the phase (in the --debug run, from the time-stamped lines). */
  seconds: number;
  statements: number;
  commits: number;
  /** The driver time of its statements, summed (seconds). */
  sqlSeconds: number;
}

/** The --debug run of one batch: where cellctl's time goes. */
interface Breakdown {
  instances: number;
  seconds: number;
  /** From the start to the first API write: Node start, configuration, cell and flavor reads, candidates. */
  before: PhaseStatements;
  apiRows: PhaseStatements;
  burial: PhaseStatements;
  /** After the last statement: output, connections closed, exit. */
  afterSeconds: number;
  /** The burial's statements by kind (verb and table), the costliest first: count and driver seconds. */
  burialByKind: Array<{ kind: string; count: number; sqlSeconds: number }>;
}

/** What nova-bury.py reports for one process. */
interface NovaBatchReport {
  instances: number;
  seconds: { setup: number; api_rows: number; burial: number };
  statements: Record<'api_rows' | 'burial', { count: number; seconds: number; commits: number }>;
}

interface NovaRun {
  instances: number;
  batches: number;
  /** Wall time of the processes, summed. */
  seconds: number;
  /** In-process phases summed over the batches (nova-bury.py's own clock). */
  setupSeconds: number;
  apiRowsSeconds: number;
  burialSeconds: number;
  apiRows: { statements: number; commits: number; sqlSeconds: number };
  burial: { statements: number; commits: number; sqlSeconds: number };
  peakRssMiB: number | null;
  machineCpuPct: number | null;
  load: Load;
  /** null when every process exited 0. */
  failure: string | null;
  census: Census;
  /** null when Nova's counts equal cellctl's (scaled to Nova's instances), else the tables that differ. */
  countsMismatch: string | null;
}

interface BenchResult {
  dialect: Dialect;
  settings: Record<string, string | number>;
  instances: number;
  batch: number;
  rounds: CellctlRound[];
  median: { seconds: number; peakRssMiB: number | null };
  breakdown?: Breakdown;
  nova?: NovaRun;
}

/** The deployment, and its cell0 beside the kit's API database and cell. */
interface BuryDeployment extends BenchDeployment {
  cell0Url: string;
  cell0Database: string;
}

function loadNow(): number {
  return Math.round(loadavg()[0] * 100) / 100;
}

/** Runs `work` on cell0's database, its connections closed afterwards. */
async function onCell0<R>(d: BuryDeployment, work: (db: Kysely<any>, dialect: Dialect) => Promise<R>): Promise<R> {
  const dbs = createDatabaseContext({ databaseConnection: d.cell0Url, cwd: d.dir });
  try {
    const handle = await dbs.localCell();
    return await work(handle.db as Kysely<any>, handle.url.dialect);
  } finally {
    await dbs.close();
  }
}

async function onApi<R>(d: BuryDeployment, work: (db: Kysely<any>, dialect: Dialect) => Promise<R>): Promise<R> {
  const dbs = createDatabaseContext({ apiDatabaseConnection: d.apiUrl, cwd: d.dir });
  try {
    const handle = await dbs.api();
    return await work(handle.db as Kysely<any>, handle.url.dialect);
  } finally {
    await dbs.close();
  }
}

async function tableNames(db: Kysely<any>, dialect: Dialect): Promise<string[]> {
  const r =
    dialect === 'mysql'
      ? await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.TABLES WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'`.execute(db)
      : await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`.execute(db);
  return r.rows.map((row) => row.name).filter((name) => name !== 'alembic_version').sort();
}

/** Counts every non-empty table of cell0 (`cell0.<table>`) and the API's instance tables (`api.<table>`; mappings by cell). */
async function census(d: BuryDeployment, cell0Id: number): Promise<Census> {
  const out: Census = {};
  await onCell0(d, async (db, dialect) => {
    for (const table of await tableNames(db, dialect)) {
      const n = Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(table)}`.execute(db)).rows[0].n);
      if (n > 0) out[`cell0.${table}`] = n;
    }
  });
  await onApi(d, async (db) => {
    for (const table of API_TABLES) out[`api.${table}`] = Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(table)}`.execute(db)).rows[0].n);
    const mapped = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM instance_mappings WHERE cell_id = ${cell0Id}`.execute(db);
    out['api.instance_mappings in cell0'] = Number(mapped.rows[0].n);
  });
  return out;
}

/** Empties cell0 and the API's instance tables (the state each side starts from). */
async function reset(d: BuryDeployment): Promise<void> {
  await onCell0(d, async (db, dialect) => {
    await db.connection().execute(async (conn) => {
      await sql.raw(dialect === 'mysql' ? 'SET FOREIGN_KEY_CHECKS = 0' : 'PRAGMA foreign_keys = OFF').execute(conn);
      for (const table of await tableNames(conn, dialect)) {
        const n = Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(table)}`.execute(conn)).rows[0].n);
        if (n > 0) await sql.raw(`${dialect === 'mysql' ? 'TRUNCATE TABLE' : 'DELETE FROM'} ${dialect === 'mysql' ? quoteMysql(table) : `"${table}"`}`).execute(conn);
      }
      await sql.raw(dialect === 'mysql' ? 'SET FOREIGN_KEY_CHECKS = 1' : 'PRAGMA foreign_keys = ON').execute(conn);
    });
  });
  await onApi(d, async (db, dialect) => {
    await db.connection().execute(async (conn) => {
      if (dialect === 'mysql') await sql`SET FOREIGN_KEY_CHECKS = 0`.execute(conn);
      for (const table of API_TABLES) await sql.raw(dialect === 'mysql' ? `TRUNCATE TABLE ${quoteMysql(table)}` : `DELETE FROM "${table}"`).execute(conn);
      if (dialect === 'mysql') await sql`SET FOREIGN_KEY_CHECKS = 1`.execute(conn);
    });
  });
}

/** Lets the server settle (the kit's settle, on cell0's instances rather than cell1's). */
async function settleCell0(d: BuryDeployment, dialect: Dialect): Promise<void> {
  await settle({ ...d, cellDatabase: d.cell0Database }, dialect);
}

/** Batch sizes adding up to `total`, none above `batch`. */
function batches(total: number, batch: number): number[] {
  return Array.from({ length: Math.ceil(total / batch) }, (_, k) => Math.min(batch, total - k * batch));
}

function bootArgs(d: BenchDeployment, count: number, debug: boolean): string[] {
  return [CELLCTL, '--config-file', d.configFile, ...(debug ? ['--debug'] : ['-q']), 'instance', 'boot', '--name', SERVER_NAME, '--flavor', FLAVOR_ID, '--image', IMAGE, '--project', PROJECT, '--user', USER, '--count', String(count)];
}

/** One round of cellctl: N/B boots, each burying all it creates (exit 1: "some or all instances were buried"). */
async function cellctlRound(d: BuryDeployment, dialect: Dialect, instances: number, batch: number, cell0Id: number, round: number): Promise<CellctlRound> {
  await reset(d);
  await settleCell0(d, dialect);
  const load = { before: loadNow(), after: 0 };
  const cpu = watchCpu();
  const batchSeconds: number[] = [];
  const rss: Array<number | null> = [];
  let buried = 0;
  for (const count of batches(instances, batch)) {
    const run = timeNode(d, bootArgs(d, count, false), 'instance boot', undefined, [1]);
    const uuids = run.stdout.split('\n').filter((l) => l.trim() !== '');
    if (uuids.length !== count) throw new Error(`instance boot --count ${count} printed ${uuids.length} UUIDs`);
    batchSeconds.push(run.seconds);
    rss.push(run.peakRssMiB);
    buried += count;
    log(`round ${round}: cellctl: ${batchSeconds.reduce((a, b) => a + b, 0).toFixed(1)} s for ${buried} instances (last batch ${run.seconds.toFixed(2)} s, ${run.peakRssMiB?.toFixed(0)} MiB)`);
  }
  const machineCpuPct = cpu();
  load.after = loadNow();
  const counts = await census(d, cell0Id);
  const expected = { 'cell0.instances': instances, 'cell0.instance_faults': instances, 'api.instance_mappings in cell0': instances, 'api.build_requests': 0, 'api.request_specs': instances };
  for (const [table, n] of Object.entries(expected)) if ((counts[table] ?? 0) !== n) throw new Error(`after cellctl, ${table} holds ${counts[table] ?? 0} rows, expected ${n}`);
  return {
    seconds: batchSeconds.reduce((a, b) => a + b, 0),
    batchSeconds,
    peakRssMiB: rss.every((v): v is number => v !== null) ? Math.max(...rss) : null,
    machineCpuPct,
    load,
    census: counts,
  };
}

/** `verb table` of a statement as --debug prints it (`insert into \`instances\``, `select instance_mappings`, `COMMIT`). */
function statementKind(statement: string): string {
  const write = /^\s*(insert into|update|delete from|insert or ignore into)\s+[`"]?(\w+)/i.exec(statement);
  if (write) return `${write[1].toLowerCase()} ${write[2]}`;
  const read = /^\s*select\b.*?\bfrom\s+[`"]?(\w+)/is.exec(statement);
  if (read) return `select ${read[1]}`;
  return statement.trim().split(/\s+/)[0]?.toUpperCase() ?? '';
}

/**
 * One boot of `count` instances with --debug, its stderr lines time-stamped as they arrive: the
 * API rows run from the statement before the first request_specs insert (their BEGIN) to the
 * COMMIT after the last instance_mappings insert; the burial from there to the last statement.
 */
async function breakdown(d: BuryDeployment, dialect: Dialect, count: number): Promise<Breakdown> {
  await reset(d);
  await settleCell0(d, dialect);
  const lines: Array<{ at: number; kind: string; ms: number }> = [];
  const start = performance.now();
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, bootArgs(d, count, true), { env: childOptions(d).env, stdio: ['ignore', 'ignore', 'pipe'] });
    let pending = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      const at = performance.now() - start;
      const parts = (pending + chunk).split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) {
        const m = /^cellctl: debug: sql \(([\d.]+) ms\): (.*)$/.exec(line);
        if (m) lines.push({ at, kind: statementKind(m[2]), ms: Number(m[1]) });
      }
    });
    child.on('error', reject);
    child.on('close', resolve);
  });
  const seconds = (performance.now() - start) / 1000;
  if (exitCode !== 1) throw new Error(`instance boot --debug exited ${exitCode}`);
  const firstApi = lines.findIndex((l) => l.kind === 'insert into request_specs');
  const lastMapping = lines.map((l) => l.kind).lastIndexOf('insert into instance_mappings');
  const apiCommit = lines.findIndex((l, k) => k > lastMapping && l.kind === 'COMMIT');
  if (firstApi < 1 || apiCommit < 0) throw new Error('the --debug run did not show the API rows (no request_specs insert or no COMMIT after them)');
  const phase = (from: number, to: number, startAt: number, endAt: number): PhaseStatements => {
    const part = lines.slice(from, to);
    return { seconds: (endAt - startAt) / 1000, statements: part.length, commits: part.filter((l) => l.kind === 'COMMIT').length, sqlSeconds: part.reduce((a, l) => a + l.ms, 0) / 1000 };
  };
  const apiStart = lines[firstApi - 1].at;
  const apiEnd = lines[apiCommit].at;
  const lastAt = lines[lines.length - 1].at;
  const byKind = new Map<string, { count: number; sqlSeconds: number }>();
  for (const l of lines.slice(apiCommit + 1)) {
    const k = byKind.get(l.kind) ?? { count: 0, sqlSeconds: 0 };
    byKind.set(l.kind, { count: k.count + 1, sqlSeconds: k.sqlSeconds + l.ms / 1000 });
  }
  return {
    instances: count,
    seconds,
    before: phase(0, firstApi - 1, 0, apiStart),
    apiRows: phase(firstApi - 1, apiCommit + 1, apiStart, apiEnd),
    burial: phase(apiCommit + 1, lines.length, apiEnd, lastAt),
    afterSeconds: seconds - lastAt / 1000,
    burialByKind: [...byKind].map(([kind, v]) => ({ kind, ...v })).sort((a, b) => b.sqlSeconds - a.sqlSeconds),
  };
}

/** The nova.conf the harness runs with: the API database (cell0 is found through its mapping), the conductor host. */
function writeNovaConf(d: BenchDeployment): string {
  const file = join(d.dir, 'nova-bury.conf');
  mkdirSync(join(d.dir, 'nova-state'), { recursive: true });
  const lines = ['[DEFAULT]', 'transport_url = rabbit://guest:guest@127.0.0.1:5672/', `state_path = ${join(d.dir, 'nova-state')}`, `host = ${CONDUCTOR_HOST}`, '[api_database]', `connection = ${novaDatabaseUrl(d.apiUrl)}`];
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}

interface FlavorRow {
  id: number;
  flavorid: string;
  name: string;
  memory_mb: number;
  vcpus: number;
  root_gb: number;
  ephemeral_gb: number;
  swap: number;
}

/** The request cellctl's boot makes (instance boot.service bootRequest), as nova-bury.py takes it. */
function novaRequest(flavor: FlavorRow, count: number, batchIndex: number): object {
  const instances = Array.from({ length: count }, (_, index) => {
    const uuid = randomUUID();
    const names = instanceNames(SERVER_NAME, uuid, index, count);
    return { uuid, display_name: names.displayName, hostname: names.hostname, launch_index: index };
  });
  return {
    request_id: `req-${randomUUID()}`,
    user_id: USER,
    project_id: PROJECT,
    flavor: { id: flavor.id, flavorid: flavor.flavorid, name: flavor.name, memory_mb: flavor.memory_mb, vcpus: flavor.vcpus, root_gb: flavor.root_gb, ephemeral_gb: flavor.ephemeral_gb, swap: flavor.swap },
    image: IMAGE,
    availability_zone: null,
    reservation_id: `r-bench${String(batchIndex).padStart(3, '0')}`,
    description: SERVER_NAME,
    instances,
    metadata: {},
    system_metadata: { image_base_image_ref: IMAGE },
    bdms: [{ source_type: 'image', destination_type: 'local', image_id: IMAGE, boot_index: 0, delete_on_termination: true, device_type: 'disk' }],
    tags: [],
    fault: { kind: 'no-valid-host', reason: '' },
  };
}

/** Nova's side: one nova-bury.py process per batch, from empty; never throws for Nova's own failure. */
async function novaRun(d: BuryDeployment, dialect: Dialect, instances: number, batch: number, cell0Id: number, expected: Census): Promise<NovaRun> {
  await reset(d);
  await settleCell0(d, dialect);
  const flavor = await onApi(d, async (db) => (await sql<FlavorRow>`SELECT id, flavorid, name, memory_mb, vcpus, root_gb, ephemeral_gb, swap FROM flavors WHERE flavorid = ${FLAVOR_ID}`.execute(db)).rows[0]);
  const conf = writeNovaConf(d);
  const timeFile = join(d.dir, 'nova-time.out');
  const requestFile = join(d.dir, 'nova-request.json');
  const sizes = batches(instances, batch);
  const run: Omit<NovaRun, 'census' | 'countsMismatch' | 'machineCpuPct' | 'load'> = {
    instances,
    batches: sizes.length,
    seconds: 0,
    setupSeconds: 0,
    apiRowsSeconds: 0,
    burialSeconds: 0,
    apiRows: { statements: 0, commits: 0, sqlSeconds: 0 },
    burial: { statements: 0, commits: 0, sqlSeconds: 0 },
    peakRssMiB: null,
    failure: null,
  };
  const load = { before: loadNow(), after: 0 };
  const cpu = watchCpu();
  let buried = 0;
  for (const [k, count] of sizes.entries()) {
    writeFileSync(requestFile, JSON.stringify(novaRequest(flavor, count, k)));
    const withTime = existsSync(GNU_TIME);
    const args = [NOVA_BURY, conf, `@${requestFile}`];
    const start = process.hrtime.bigint();
    const r = withTime
      ? spawnSync(GNU_TIME, ['-f', '%M', '-o', timeFile, NOVA_PYTHON, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: NOVA_BATCH_TIMEOUT_MS })
      : spawnSync(NOVA_PYTHON, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: NOVA_BATCH_TIMEOUT_MS });
    const seconds = elapsed(start);
    run.seconds += seconds;
    if (r.error || r.status !== 0) {
      const tail = (r.stderr ?? '').split('\n').filter((l) => l.trim() !== '' && !/eventlet|monkey|ERROR state|Failed to compute_task/.test(l)).slice(-8).join('\n');
      run.failure = `batch ${k + 1} of ${sizes.length} ${r.error ? `failed: ${r.error.message}` : `exited ${r.status}`}: ${tail}`;
      log(`nova: ${run.failure}`);
      break;
    }
    const report = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as NovaBatchReport;
    run.setupSeconds += report.seconds.setup;
    run.apiRowsSeconds += report.seconds.api_rows;
    run.burialSeconds += report.seconds.burial;
    for (const phase of ['api_rows', 'burial'] as const) {
      const into = phase === 'api_rows' ? run.apiRows : run.burial;
      into.statements += report.statements[phase].count;
      into.commits += report.statements[phase].commits;
      into.sqlSeconds += report.statements[phase].seconds;
    }
    const peakKiB = withTime ? Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop()) : NaN;
    if (Number.isFinite(peakKiB)) run.peakRssMiB = Math.max(run.peakRssMiB ?? 0, peakKiB / 1024);
    buried += count;
    log(`nova: ${run.seconds.toFixed(1)} s for ${buried} instances (this batch ${seconds.toFixed(1)} s: setup ${report.seconds.setup.toFixed(1)}, API rows ${report.seconds.api_rows.toFixed(1)}, burial ${report.seconds.burial.toFixed(1)})`);
  }
  const machineCpuPct = cpu();
  load.after = loadNow();
  const counts = await census(d, cell0Id);
  return { ...run, machineCpuPct, load, census: counts, countsMismatch: run.failure ? null : countsMismatch(counts, expected, instances / Number(expected['cell0.instances'])) };
}

/**
 * null when `nova` holds, table by table, `scale` times the rows of `cellctl` (per-instance rows
 * scale; tables of one row per project, such as the `default` security group, do not), else what differs.
 */
function countsMismatch(nova: Census, cellctl: Census, scale: number): string | null {
  const differences: string[] = [];
  for (const table of new Set([...Object.keys(nova), ...Object.keys(cellctl)])) {
    const theirs = nova[table] ?? 0;
    const ours = cellctl[table] ?? 0;
    const scaled = ours === 1 ? 1 : Math.round(ours * scale);
    if (theirs !== scaled) differences.push(`${table}: Nova ${theirs}, cellctl ${ours}${scale !== 1 ? ` (scaled ${scaled})` : ''}`);
  }
  return differences.length === 0 ? null : differences.join('; ');
}

async function describeSettings(d: BuryDeployment, withNova: boolean): Promise<Record<string, string | number>> {
  let nova: Record<string, string> = {};
  if (withNova) {
    const r = spawnSync(NOVA_PYTHON, ['-c', "import importlib.metadata as m; print(m.version('nova'))"], { encoding: 'utf8', timeout: 60_000 });
    if (r.error || r.status !== 0) throw new Error(`--nova: ${NOVA_PYTHON} cannot find Nova: ${r.error?.message ?? r.stderr.trim().split('\n').pop()}`);
    nova = { nova: r.stdout.trim() };
  }
  const machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memory_gib: Math.round(totalmem() / 2 ** 30), node: process.version, cellctl: cellctlRevision(), ...nova };
  const server = await onApi(d, async (db, dialect) => {
    if (dialect === 'sqlite') {
      const r = await sql<Record<string, string | number>>`
        SELECT sqlite_version() AS sqlite_version, (SELECT journal_mode FROM pragma_journal_mode) AS journal_mode,
               (SELECT synchronous FROM pragma_synchronous) AS synchronous`.execute(db);
      return r.rows[0];
    }
    const r = await sql<Record<string, string | number>>`
      SELECT VERSION() AS version, @@innodb_buffer_pool_size AS innodb_buffer_pool_size,
             @@innodb_flush_log_at_trx_commit AS innodb_flush_log_at_trx_commit, @@log_bin AS log_bin, @@sync_binlog AS sync_binlog`.execute(db);
    return r.rows[0];
  });
  return { ...machine, ...server };
}

function settingsLine(s: Record<string, string | number>): string {
  const machine = `cellctl ${s.cellctl}${s.nova !== undefined ? `, Nova ${s.nova}` : ''}; ${s.cores} cores (${s.cpu}), ${s.memory_gib} GiB, Node ${s.node}`;
  if (s.sqlite_version !== undefined) return `${machine}; SQLite ${s.sqlite_version} (cellctl's connection: journal_mode ${s.journal_mode}, synchronous ${s.synchronous})`;
  return (
    `${machine}; ${s.version}: innodb_buffer_pool_size ${Math.round(Number(s.innodb_buffer_pool_size) / 2 ** 20)} MiB, ` +
    `innodb_flush_log_at_trx_commit ${s.innodb_flush_log_at_trx_commit}, log_bin ${Number(s.log_bin) ? 'ON' : 'OFF'}, sync_binlog ${s.sync_binlog}`
  );
}

const n0 = (v: number) => Math.round(v).toLocaleString('en-US');
const rssCell = (v: number | null) => (v === null ? 'n/a' : v.toFixed(0));

/** The main table: both sides whole, and Nova's in-process phases. */
function resultTable(r: BenchResult): string[] {
  const rows = [
    '| side | what is timed | instances | seconds | instances/s | peak RSS MiB |',
    '|---|---|---|---|---|---|',
    `| cellctl | ${r.rounds[0].batchSeconds.length} x \`instance boot --count ${r.batch}\` (API rows + burial), median of ${r.rounds.length} round(s), the lower middle for an even count | ${n0(r.instances)} | ${r.median.seconds.toFixed(1)} | ${n0(r.instances / r.median.seconds)} | ${rssCell(r.median.peakRssMiB)} |`,
  ];
  const n = r.nova;
  if (n) {
    const note = n.failure ? ' (FAILED, see JSON)' : n.countsMismatch ? ' (OTHER ROW COUNTS)' : '';
    rows.push(
      `| Nova | ${n.batches} x nova-bury.py, ${r.batch} each (Python start + API rows + burial)${note} | ${n0(n.instances)} | ${n.seconds.toFixed(1)} | ${n0(n.instances / n.seconds)} | ${rssCell(n.peakRssMiB)} |`,
      `| Nova | API rows only (BuildRequest, InstanceMapping, RequestSpec .create()) | ${n0(n.instances)} | ${n.apiRowsSeconds.toFixed(1)} | ${n0(n.instances / n.apiRowsSeconds)} | |`,
      `| Nova | burial only (ComputeTaskManager._bury_in_cell0) | ${n0(n.instances)} | ${n.burialSeconds.toFixed(1)} | ${n0(n.instances / n.burialSeconds)} | |`,
    );
  }
  return rows;
}

/** Per instance, both sides: statements, commits, and for cellctl the --debug run's wall split. */
function breakdownTable(r: BenchResult): string[] {
  const b = r.breakdown;
  const n = r.nova;
  if (!b) return [];
  const per = (v: number, count: number) => (v / count).toFixed(1);
  const ms = (s: number, count: number) => ((1000 * s) / count).toFixed(2);
  const rows = [
    `| phase | cellctl statements/instance | cellctl commits/instance | cellctl ms/instance (--debug run, ${n0(b.instances)}) | cellctl SQL ms/instance | Nova statements/instance | Nova commits/instance | Nova ms/instance | Nova SQL ms/instance |`,
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [label, c, nv, ns] of [
    ['API rows', b.apiRows, n?.apiRows, n?.apiRowsSeconds],
    ['burial', b.burial, n?.burial, n?.burialSeconds],
  ] as const) {
    const novaCells = n && nv && ns !== undefined && !n.failure ? `${per(nv.statements, n.instances)} | ${per(nv.commits, n.instances)} | ${ms(ns, n.instances)} | ${ms(nv.sqlSeconds, n.instances)}` : 'n/a | n/a | n/a | n/a';
    rows.push(`| ${label} | ${per(c.statements, b.instances)} | ${per(c.commits, b.instances)} | ${ms(c.seconds, b.instances)} | ${ms(c.sqlSeconds, b.instances)} | ${novaCells} |`);
  }
  return rows;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dialect: { type: 'string', default: 'sqlite' },
      instances: { type: 'string', default: '10000' },
      batch: { type: 'string', default: String(MAX_BOOT_COUNT) },
      rounds: { type: 'string', default: '1' },
      nova: { type: 'boolean', default: false },
      'nova-instances': { type: 'string' },
      'no-breakdown': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  });
  const dialect = values.dialect as Dialect;
  if (dialect !== 'mysql' && dialect !== 'sqlite') throw new Error(`--dialect must be mysql or sqlite, not ${values.dialect}`);
  const whole = (name: string, text: string, max = Number.MAX_SAFE_INTEGER): number => {
    const v = Number(text.replace(/_/g, ''));
    if (!Number.isSafeInteger(v) || v < 1 || v > max) throw new Error(`--${name} must be a whole number from 1 to ${max}, not ${text}`);
    return v;
  };
  const instances = whole('instances', values.instances);
  const batch = whole('batch', values.batch, MAX_BOOT_COUNT);
  const rounds = whole('rounds', values.rounds);
  const novaInstances = values['nova-instances'] === undefined ? instances : whole('nova-instances', values['nova-instances']);

  const base = createDeployment('burybench', dialect, instances);
  const cell0Database = base.cellDatabase.replace(/_cell1$/, '_cell0');
  const d: BuryDeployment = {
    ...base,
    cell0Database,
    cell0Url: dialect === 'sqlite' ? `sqlite:///${join(base.dir, 'nova_cell0.sqlite')}` : replaceDatabaseName(base.cellUrl, cell0Database),
  };
  log(`${dialect}, ${instances} instances in batches of ${batch}: ${d.dir}; load average ${loadavg().map((v) => v.toFixed(2)).join(', ')}`);
  let result: BenchResult;
  try {
    cellctl(d, ['-q', 'api-db', 'sync']);
    cellctl(d, ['-q', 'db', 'sync']);
    cellctl(d, ['-q', 'cell0', 'setup', '--database-connection', d.cell0Url]);
    cellctl(d, ['-q', 'cell', 'create', '--name', 'cell1', '--database-connection', d.cellUrl, '--transport-url', 'fake://bench/']);
    cellctl(d, ['-q', 'flavor', 'create', 'm1.bench', '--id', FLAVOR_ID, '--vcpus', '1', '--ram', '512', '--disk', '1']);
    const settings = await describeSettings(d, values.nova);
    const cell0Id = await onApi(d, async (db) => Number((await sql<{ id: number }>`SELECT id FROM cell_mappings WHERE uuid = '00000000-0000-0000-0000-000000000000'`.execute(db)).rows[0].id));

    const done: CellctlRound[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      const r = await cellctlRound(d, dialect, instances, batch, cell0Id, round);
      log(`round ${round}: cellctl: ${r.seconds.toFixed(1)} s, ${n0(instances / r.seconds)} instances/s, peak RSS ${rssCell(r.peakRssMiB)} MiB, machine CPU ${r.machineCpuPct}% busy, load ${r.load.before} -> ${r.load.after}: ${JSON.stringify(r.census)}`);
      done.push(r);
    }
    const peaks = done.map((r) => r.peakRssMiB);
    result = {
      dialect,
      settings,
      instances,
      batch,
      rounds: done,
      median: { seconds: median(done.map((r) => r.seconds)), peakRssMiB: peaks.every((v): v is number => v !== null) ? median(peaks) : null },
    };
    if (!values['no-breakdown']) {
      result.breakdown = await breakdown(d, dialect, Math.min(batch, instances));
      log(`breakdown (--debug): ${JSON.stringify({ ...result.breakdown, burialByKind: result.breakdown.burialByKind.slice(0, 12) })}`);
    }
    if (values.nova) {
      log(`nova: burying ${novaInstances} instances through nova-bury.py in batches of ${batch}`);
      result.nova = await novaRun(d, dialect, novaInstances, batch, cell0Id, done[done.length - 1].census);
      log(`nova: ${JSON.stringify(result.nova)}`);
      if (result.nova.countsMismatch) log(`nova: WARNING: row counts differ from cellctl's: ${result.nova.countsMismatch}`);
    }
  } finally {
    if (values.keep) log(`kept: ${d.configFile} (cell0: ${d.cell0Url})`);
    else {
      if (dialect === 'mysql') await onApi(d, (db) => sql.raw(`DROP DATABASE IF EXISTS ${quoteMysql(d.cell0Database)}`).execute(db));
      await dropDeployment(d, dialect);
    }
  }
  const out = process.stdout;
  out.write(`cell0 burial benchmark, ${new Date().toISOString().slice(0, 10)}: ${settingsLine(result.settings)}\n\n`);
  out.write(`${resultTable(result).join('\n')}\n\n`);
  if (result.nova && !result.nova.failure) {
    const n = result.nova;
    const rate = (count: number, s: number) => count / s;
    out.write(
      `Nova / cellctl, instances per second: cellctl ${(rate(instances, result.median.seconds) / rate(n.instances, n.seconds)).toFixed(1)}x faster whole; ` +
        `cellctl's whole boot against Nova's burial alone: ${(rate(instances, result.median.seconds) / rate(n.instances, n.burialSeconds)).toFixed(1)}x\n`,
    );
    out.write(`Row counts: ${n.countsMismatch === null ? 'Nova wrote as many rows as cellctl in every table' : `DIFFER: ${n.countsMismatch}`}\n\n`);
  }
  const b = breakdownTable(result);
  if (b.length) out.write(`${b.join('\n')}\n\n`);
  out.write(`${JSON.stringify({ benchmark: 'cell0-burial', ...result })}\n`);
  if (result.nova?.countsMismatch || result.nova?.failure) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
