/**
 * The online-data-migrations benchmark (issue 11; figures in docs/performance.md): the two
 * migrations of instance_mappings that read a cell's instances, populate_queued_for_delete and
 * populate_user_id, over N mappings. For each size it creates a fresh API database and cell
 * database (MariaDB/MySQL databases named `cellctl_odmbench_*`, or SQLite files in a temporary
 * directory) with cellctl's own `api-db sync`, `db sync` and `cell create`, fills the cell with
 * sample instances (sample-deployment.ts) and gives every visible one a mapping with `user_id` and
 * `queued_for_delete` NULL (one server-side INSERT ... SELECT), then, each round, from all-NULL:
 *   1. the floor: the two server-side `UPDATE ... JOIN` statements with Nova's predicates between
 *      the API and cell databases of the same server (SQLite: the cell file attached, a correlated
 *      subquery for the LEFT JOIN case, and for user_id the faster of UPDATE ... FROM and
 *      correlated subqueries, both timed);
 *   2. `cellctl online-data-migrations --migration populate_queued_for_delete --migration
 *      populate_user_id` as a process: wall time, mappings/s, peak RSS (GNU time);
 *   3. the same command again, with nothing left to do;
 * and checks that the command left the same values as the floor. Medians over --rounds R. Prints
 * the settings, a markdown table and one JSON line per size on stdout (progress on stderr). Run it
 * on an otherwise idle machine: each step's JSON records how busy the CPUs were.
 *
 * With --nova, each size then ends with Nova's own runner, for comparison: the mappings are set
 * back to all-NULL (the same reset as between rounds) and `nova-manage db online_data_migrations`
 * runs once, with no --max-count, so in batches of 50 until a batch migrates nothing. It runs
 * through /usr/bin/python3 (python3-nova and python3-pymysql installed) with a nova.conf of its own
 * in the deployment's directory: [api_database] is the bench's API database, [database] its one
 * cell (MySQL URLs as mysql+pymysql://...?charset=utf8). The bench maps no cell0, so one call
 * covers everything. Nova is timed like the command (wall clock, peak RSS by GNU time) and gets the
 * same check against the floor's values, on instance_mappings only (Nova also writes marker rows
 * into the cell: a soft-deleted fake instance and a virtual_interfaces row). The table gains the
 * columns `nova s`, `nova/floor` and `nova peak RSS MiB`, the JSON line a `nova` object (rc, the
 * parsed summary table, how many progress lines it printed, its distinct errors). A failing Nova
 * run does not stop the bench: the table notes it next to Nova's time. Nova runs all ten of its
 * migrations, not only the two; on the bench's cell only migrate_empty_ratio (the compute nodes)
 * finds other work. Of its stdout only the final summary table is kept. A progress line goes to
 * stderr every minute, and the run is killed after 2 hours (100,000 mappings took 18 minutes on
 * SQLite and 84 on MariaDB on a busy 2-core machine). On SQLite the bench first creates the cell's
 * `default` security group with project_id NULL, as Nova would: without it Nova's
 * fill_virtual_interface_list fails with "database is locked" and the run exits 2
 * (shared/reference/nova-details.md §1.7).
 *
 *   npm run build
 *   node dist/bench/online-data-migrations-bench.js --dialect mysql --instances 1000000 --rounds 3
 *   node dist/bench/online-data-migrations-bench.js --dialect sqlite --instances 100000,1000000
 *   node dist/bench/online-data-migrations-bench.js --dialect mysql --instances 100000 --nova
 *
 * Options: --dialect mysql|sqlite (default sqlite), --instances N[,N...] (default 100000),
 * --compute-hosts K (default 50), --rounds R (default 1), --keep (leave the databases),
 * --nova (also time Nova's own runner, see above), --cpu-prof DIR (profile the first run: node
 * --cpu-prof). The MySQL server is the one of CELLCTL_BENCH_MYSQL_URL (default
 * mysql+pymysql://root@127.0.0.1:3306).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { createDatabaseContext } from '../src/services/database-context.service';
import { populateCell, type SampleCellCensus } from './sample-deployment';
import {
  CELLCTL,
  cellctl,
  cellctlRevision,
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

const MIGRATIONS = ['populate_queued_for_delete', 'populate_user_id'];
/** Nova's VIF marker project (its mapping never gets a user_id). */
const MARKER_PROJECT = '00000000-0000-0000-0000-000000000000';
/** Nova's nova-manage entry point. */
const NOVA_MANAGE = 'import sys; from nova.cmd.manage import main; sys.argv[0] = "nova-manage"; sys.exit(main())';
/** Nova runs batches of 50 until complete: minutes per 100,000 mappings, so a generous limit. */
const NOVA_TIMEOUT_MS = 2 * 3600_000;
const NOVA_PROGRESS_EVERY_MS = 60_000;

/** What the mappings hold after a run: the figures the command must reproduce. */
interface MappingValues {
  queued: number;
  notQueued: number;
  withUser: number;
  nullQueued: number;
  nullUser: number;
}

interface ProcessRun {
  seconds: number;
  machineCpuPct: number | null;
  peakRssMiB: number | null;
  exitCode: number;
  /** The summary rows (-f json), without the per-cell ones. */
  summary: Array<{ migration: string; total_needed: number | null; completed: number; remaining: number | null; unmigratable: number | null }>;
}

/** Nova's own `nova-manage db online_data_migrations` (all ten of its migrations, batches of 50). */
interface NovaRun {
  seconds: number;
  machineCpuPct: number | null;
  peakRssMiB: number | null;
  /** null when it was killed (timeout). */
  exitCode: number | null;
  timedOut: boolean;
  /** SQLite only: the `default` security group (project_id NULL) the bench created in the cell first. */
  precreatedDefaultSecurityGroup: boolean;
  /** How many `N rows matched query <name>, M migrated` lines it printed (about one per batch here). */
  progressLines: number;
  /** Distinct `Error attempting to run <function X>` lines (memory address dropped), with their count. */
  errors: Record<string, number>;
  /** Its final summary table, parsed (Total Needed is the sum of found over all batches). */
  summary: Array<{ migration: string; total_needed: number; completed: number }>;
  /** What it printed after the table (e.g. "Some migrations failed unexpectedly. ..."). */
  trailer: string[];
  /** null when it left the same mapping values as the floor, else what differed. */
  valuesMismatch: string | null;
}

interface BenchRound {
  floor: { seconds: number; queuedSeconds: number; userSeconds: number; machineCpuPct: number | null; values: MappingValues; userSecondsVariants?: Record<string, number> };
  migrate: ProcessRun;
  rerun: ProcessRun;
}

interface BenchResult {
  dialect: Dialect;
  settings: Record<string, string | number>;
  instances: number;
  mappings: number;
  census: SampleCellCensus;
  generateSeconds: number;
  rounds: BenchRound[];
  median: { floorSeconds: number; migrateSeconds: number; migrateRssMiB: number | null; rerunSeconds: number; rerunRssMiB: number | null };
  /** --nova: one run of Nova's own command after the rounds, from all-NULL again. */
  nova?: NovaRun;
}

/** Runs the two migrations as a process under GNU time: wall time, peak RSS, the summary rows. */
function timeMigrations(deployment: BenchDeployment, cellUuid: string, nodeFlags: string[] = []): ProcessRun {
  const args = [...nodeFlags, CELLCTL, '--config-file', deployment.configFile, '-q', '-f', 'json', 'online-data-migrations', '--cell', cellUuid];
  for (const m of MIGRATIONS) args.push('--migration', m);
  const { stdout, stderr: _stderr, ...run } = timeNode(deployment, args, 'online-data-migrations');
  const summary = (JSON.parse(stdout) as Array<ProcessRun['summary'][number] & { cells: unknown }>).map(({ cells: _cells, ...row }) => row);
  return { ...run, summary };
}

/** Writes the nova.conf Nova's own command runs with (offline: the transport is parsed, never contacted); returns its path. */
function writeNovaConf(deployment: BenchDeployment): string {
  const file = join(deployment.dir, 'nova-manage.conf');
  const lines = [
    '[DEFAULT]',
    'transport_url = rabbit://guest:guest@127.0.0.1:5672/',
    `state_path = ${join(deployment.dir, 'nova-state')}`,
    '[api_database]',
    `connection = ${novaDatabaseUrl(deployment.apiUrl)}`,
    '[database]',
    `connection = ${novaDatabaseUrl(deployment.cellUrl)}`,
  ];
  mkdirSync(join(deployment.dir, 'nova-state'), { recursive: true });
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}

/** Nova's version as its package metadata gives it (without importing Nova, which takes seconds). */
function novaVersion(): string {
  const r = spawnSync(NOVA_PYTHON, ['-c', "import importlib.metadata as m; print(m.version('nova'))"], { encoding: 'utf8', timeout: 60_000 });
  if (r.error || r.status !== 0) throw new Error(`--nova: ${NOVA_PYTHON} cannot find Nova: ${r.error?.message ?? r.stderr.trim().split('\n').pop()}`);
  return r.stdout.trim();
}

/**
 * SQLite only: Nova's fill_virtual_interface_list creates the `default` security group (project_id
 * NULL) in a second write transaction on the same file and fails with "database is locked" when
 * the cell lacks it (shared/reference/nova-details.md §1.7). Creates that row, as Nova would,
 * unless it is there; returns whether it created it.
 */
async function precreateDefaultSecurityGroup(deployment: BenchDeployment): Promise<boolean> {
  return withApi(deployment, async (db, _dialect, cell) => {
    const present = await sql.raw<{ n: number }>(`SELECT COUNT(*) AS n FROM ${cell}.security_groups WHERE name = 'default' AND project_id IS NULL AND deleted = 0`).execute(db);
    if (Number(present.rows[0]?.n ?? 0) > 0) return false;
    await sql
      .raw(
        `INSERT INTO ${cell}.security_groups (created_at, name, description, user_id, project_id, deleted) ` +
          `VALUES (strftime('%Y-%m-%d %H:%M:%S', 'now'), 'default', 'default', NULL, NULL, 0)`,
      )
      .execute(db);
    return true;
  });
}

/** Nova's summary table (the last thing it prints, maybe followed by a failure notice), parsed. */
function novaSummary(stdout: string): Pick<NovaRun, 'summary' | 'trailer'> {
  const lines = stdout.split('\n');
  const top = lines.findIndex((l) => l.startsWith('+---'));
  if (top < 0) return { summary: [], trailer: [] };
  const summary: NovaRun['summary'] = [];
  let end = top;
  for (let k = top; k < lines.length && (lines[k].startsWith('+') || lines[k].startsWith('|')); k += 1) {
    end = k;
    const cells = lines[k].split('|').map((c) => c.trim());
    if (cells.length !== 5 || cells[1] === 'Migration') continue;
    summary.push({ migration: cells[1], total_needed: Number(cells[2]), completed: Number(cells[3]) });
  }
  return { summary, trailer: lines.slice(end + 1).filter((l) => l.trim() !== '') };
}

/**
 * Runs Nova's own `nova-manage db online_data_migrations` (no --max-count: batches of 50 until a
 * batch migrates nothing) under GNU time, with progress on stderr; keeps its summary table and
 * counts of its other output, not the output itself.
 */
async function timeNova(novaConf: string, deployment: BenchDeployment): Promise<Omit<NovaRun, 'precreatedDefaultSecurityGroup' | 'valuesMismatch'>> {
  const args = ['-c', NOVA_MANAGE, '--config-file', novaConf, 'db', 'online_data_migrations'];
  const timeFile = join(deployment.dir, 'nova-time.out');
  const withTime = existsSync(GNU_TIME);
  // PYTHONUNBUFFERED: Nova's progress lines arrive as printed, not in 8 KiB blocks.
  const env = { ...process.env, PYTHONUNBUFFERED: '1' };
  const cpu = watchCpu();
  const start = process.hrtime.bigint();
  // detached: GNU time and Python get a process group of their own, so a timeout can end both.
  const child = withTime
    ? spawn(GNU_TIME, ['-f', '%M', '-o', timeFile, NOVA_PYTHON, ...args], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(NOVA_PYTHON, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderrTail = '';
  let pending = '';
  let progressLines = 0;
  let lastLine = '';
  const migrated = new Map<string, number>();
  const errors: Record<string, number> = {};
  const onLine = (line: string): void => {
    const match = /^(\d+) rows matched query (\w+), (\d+) migrated$/.exec(line);
    if (match) {
      progressLines += 1;
      migrated.set(match[2], (migrated.get(match[2]) ?? 0) + Number(match[3]));
      lastLine = line;
      return;
    }
    const error = /^Error attempting to run <function (\w+)/.exec(line);
    if (error) errors[error[1]] = (errors[error[1]] ?? 0) + 1;
  };
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    lines.forEach(onLine);
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-4000);
  });
  const progress = setInterval(() => {
    const counts = [...migrated].map(([name, n]) => `${name} ${n.toLocaleString('en-US')}`).join(', ');
    log(`nova: ${elapsed(start).toFixed(0)} s, ${progressLines} progress lines, migrated so far: ${counts || 'nothing'}${lastLine ? ` (last: "${lastLine}")` : ''}`);
  }, NOVA_PROGRESS_EVERY_MS);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    log(`nova: still running after ${NOVA_TIMEOUT_MS / 1000} s: killing it`);
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  }, NOVA_TIMEOUT_MS);
  let exitCode: number | null;
  try {
    exitCode = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code));
    });
  } finally {
    clearInterval(progress);
    clearTimeout(timer);
  }
  const seconds = elapsed(start);
  const machineCpuPct = cpu();
  if (pending) onLine(pending);
  const stderrLines = stderrTail.split('\n').filter((l) => l.trim() !== '' && !/eventlet|monkey/.test(l));
  if (exitCode !== 0 && stderrLines.length > 0) log(`nova: stderr ends with:\n${stderrLines.slice(-5).join('\n')}`);
  const peakKiB = withTime && !timedOut && existsSync(timeFile) ? Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop()) : NaN;
  return {
    seconds,
    machineCpuPct,
    peakRssMiB: Number.isFinite(peakKiB) ? peakKiB / 1024 : null,
    exitCode: timedOut ? null : exitCode,
    timedOut,
    progressLines,
    errors,
    ...novaSummary(stdout),
  };
}

/**
 * Runs `work` on the API database with the cell's instances reachable as `<cell>.instances`
 * (MySQL: the cell database's name; SQLite: the cell file attached as `cell`).
 */
async function withApi<R>(deployment: BenchDeployment, work: (db: Kysely<any>, dialect: Dialect, cell: string) => Promise<R>): Promise<R> {
  const dbs = createDatabaseContext({ apiDatabaseConnection: deployment.apiUrl, cwd: deployment.dir });
  try {
    const handle = await dbs.api();
    const db = handle.db as Kysely<any>;
    if (handle.url.dialect === 'mysql') return await work(db, 'mysql', quoteMysql(deployment.cellDatabase));
    await sql`ATTACH DATABASE ${deployment.cellUrl.slice('sqlite:///'.length)} AS cell`.execute(db);
    try {
      return await work(db, 'sqlite', 'cell');
    } finally {
      await sql`DETACH DATABASE cell`.execute(db);
    }
  } finally {
    await dbs.close();
  }
}

/** One mapping per visible instance, user_id and queued_for_delete NULL (one INSERT ... SELECT); returns how many. */
async function insertMappings(deployment: BenchDeployment, cellId: number): Promise<number> {
  return withApi(deployment, async (db, _dialect, cell) => {
    await sql
      .raw(
        `INSERT INTO instance_mappings (instance_uuid, cell_id, project_id, user_id, queued_for_delete, created_at) ` +
          `SELECT uuid, ${cellId}, project_id, NULL, NULL, created_at FROM ${cell}.instances WHERE hidden IS NULL OR hidden = 0`,
      )
      .execute(db);
    return (await mappingValues(db, cellId)).nullUser;
  });
}

/** Sets user_id and queued_for_delete back to NULL (the state each round starts from). */
async function resetMappings(deployment: BenchDeployment, cellId: number): Promise<void> {
  await withApi(deployment, (db) => sql.raw(`UPDATE instance_mappings SET user_id = NULL, queued_for_delete = NULL, updated_at = NULL WHERE cell_id = ${cellId}`).execute(db));
}

/** null when the cell's mappings hold `expected` (the floor's values), else what they hold instead. */
async function valuesMismatch(deployment: BenchDeployment, cellId: number, expected: MappingValues): Promise<string | null> {
  const values = await withApi(deployment, (db) => mappingValues(db, cellId));
  return JSON.stringify(values) === JSON.stringify(expected) ? null : `left ${JSON.stringify(values)}, the floor ${JSON.stringify(expected)}`;
}

async function mappingValues(db: Kysely<any>, cellId: number): Promise<MappingValues> {
  const r = await sql<Record<keyof MappingValues, number | string | null>>`
    SELECT SUM(CASE WHEN queued_for_delete = 1 THEN 1 ELSE 0 END) AS queued,
           SUM(CASE WHEN queued_for_delete = 0 THEN 1 ELSE 0 END) AS notQueued,
           SUM(CASE WHEN user_id IS NOT NULL THEN 1 ELSE 0 END) AS withUser,
           SUM(CASE WHEN queued_for_delete IS NULL THEN 1 ELSE 0 END) AS nullQueued,
           SUM(CASE WHEN user_id IS NULL THEN 1 ELSE 0 END) AS nullUser
    FROM instance_mappings WHERE cell_id = ${cellId}`.execute(db);
  const row = r.rows[0];
  return { queued: Number(row.queued ?? 0), notQueued: Number(row.notQueued ?? 0), withUser: Number(row.withUser ?? 0), nullQueued: Number(row.nullQueued ?? 0), nullUser: Number(row.nullUser ?? 0) };
}

/** The floor: the two server-side statements with Nova's predicates (design brief §5.5), timed together and apart. */
async function measureFloor(deployment: BenchDeployment, cellId: number): Promise<BenchRound['floor']> {
  return withApi(deployment, async (db, dialect, cell) => {
    const visible = `(i.hidden = 0 OR i.hidden IS NULL)`;
    const queued = `(i.deleted = i.id OR i.vm_state = 'soft-delete')`;
    let queuedStatement: string;
    let userStatement: string;
    if (dialect === 'mysql') {
      queuedStatement =
        `UPDATE instance_mappings im LEFT JOIN ${cell}.instances i ON i.uuid = im.instance_uuid AND ${visible} ` +
        `SET im.queued_for_delete = CASE WHEN i.id IS NOT NULL AND ${queued} THEN 1 ELSE 0 END, im.updated_at = UTC_TIMESTAMP() ` +
        `WHERE im.queued_for_delete IS NULL AND im.cell_id = ${cellId}`;
      userStatement =
        `UPDATE instance_mappings im JOIN ${cell}.instances i ON i.uuid = im.instance_uuid AND ${visible} ` +
        `SET im.user_id = i.user_id, im.updated_at = UTC_TIMESTAMP() ` +
        `WHERE im.user_id IS NULL AND im.project_id <> '${MARKER_PROJECT}' AND im.cell_id = ${cellId}`;
    } else {
      const now = `strftime('%Y-%m-%d %H:%M:%S', 'now')`;
      queuedStatement =
        `UPDATE instance_mappings SET queued_for_delete = COALESCE((SELECT CASE WHEN ${queued} THEN 1 ELSE 0 END FROM ${cell}.instances i ` +
        `WHERE i.uuid = instance_mappings.instance_uuid AND ${visible}), 0), updated_at = ${now} ` +
        `WHERE queued_for_delete IS NULL AND cell_id = ${cellId}`;
      userStatement =
        `UPDATE instance_mappings AS im SET user_id = i.user_id, updated_at = ${now} FROM ${cell}.instances AS i ` +
        `WHERE i.uuid = im.instance_uuid AND ${visible} AND im.user_id IS NULL AND im.project_id <> '${MARKER_PROJECT}' AND im.cell_id = ${cellId}`;
    }
    const cpu = watchCpu();
    const start = process.hrtime.bigint();
    await sql.raw(queuedStatement).execute(db);
    const queuedSeconds = elapsed(start);
    const time = async (statement: string): Promise<number> => {
      const begin = process.hrtime.bigint();
      await sql.raw(statement).execute(db);
      return elapsed(begin);
    };
    let userSeconds = await time(userStatement);
    let userSecondsVariants: Record<string, number> | undefined;
    if (dialect === 'sqlite') {
      // NOTE: SQLite plans UPDATE ... FROM as a join it may drive from either side; the same update as
      // correlated subqueries (one uuid lookup per mapping) can be faster. The floor is the faster of the two.
      const values = await mappingValues(db, cellId);
      await sql.raw(`UPDATE instance_mappings SET user_id = NULL WHERE cell_id = ${cellId}`).execute(db);
      const lookup = `FROM ${cell}.instances i WHERE i.uuid = instance_mappings.instance_uuid AND ${visible}`;
      const correlated = await time(
        `UPDATE instance_mappings SET user_id = (SELECT i.user_id ${lookup}), updated_at = strftime('%Y-%m-%d %H:%M:%S', 'now') ` +
          `WHERE user_id IS NULL AND project_id <> '${MARKER_PROJECT}' AND cell_id = ${cellId} AND EXISTS (SELECT 1 ${lookup})`,
      );
      const again = await mappingValues(db, cellId);
      if (JSON.stringify(again) !== JSON.stringify(values)) throw new Error(`the two user_id floors disagree: ${JSON.stringify(values)} vs ${JSON.stringify(again)}`);
      userSecondsVariants = { updateFrom: userSeconds, correlated };
      userSeconds = Math.min(userSeconds, correlated);
    }
    return { seconds: queuedSeconds + userSeconds, queuedSeconds, userSeconds, machineCpuPct: cpu(), values: await mappingValues(db, cellId), userSecondsVariants };
  });
}

async function benchOne(dialect: Dialect, instances: number, options: { computeHosts: number; rounds: number; keep: boolean; nova: boolean; cpuProf?: string }): Promise<BenchResult> {
  const deployment = createDeployment('odmbench', dialect, instances);
  log(`${dialect}, ${instances} instances: ${deployment.dir}`);
  try {
    cellctl(deployment, ['-q', 'api-db', 'sync']);
    cellctl(deployment, ['-q', 'db', 'sync']);
    const settings = await describeSettings(deployment, options.nova);
    const cellUuid = cellctl(deployment, ['cell', 'create', '--name', 'cell1', '--database-connection', deployment.cellUrl, '--transport-url', 'fake://bench/']).trim();
    const cellId = await withApi(deployment, async (db) => Number((await sql<{ id: number }>`SELECT id FROM cell_mappings WHERE uuid = ${cellUuid}`.execute(db)).rows[0].id));

    const start = process.hrtime.bigint();
    const census = await populateCell(deployment.cellUrl, {
      instances,
      computeHosts: options.computeHosts,
      cwd: deployment.dir,
      onProgress: (added, total) => log(`generated ${added}/${total} instances (${elapsed(start).toFixed(1)} s)`),
    });
    const mappings = await insertMappings(deployment, cellId);
    const generateSeconds = elapsed(start);
    log(`generated in ${generateSeconds.toFixed(1)} s: ${JSON.stringify(census)}, ${mappings} mappings`);

    const rounds: BenchRound[] = [];
    for (let round = 1; round <= options.rounds; round += 1) {
      if (round > 1) await resetMappings(deployment, cellId);
      await settle(deployment, dialect);
      const floor = await measureFloor(deployment, cellId);
      log(`round ${round}: floor: ${floor.seconds.toFixed(2)} s (queued_for_delete ${floor.queuedSeconds.toFixed(2)} s, user_id ${floor.userSeconds.toFixed(2)} s${floor.userSecondsVariants ? ` ${JSON.stringify(floor.userSecondsVariants)}` : ''}; machine CPU ${floor.machineCpuPct}% busy): ${JSON.stringify(floor.values)}`);
      await resetMappings(deployment, cellId);
      await settle(deployment, dialect);
      const nodeFlags = options.cpuProf && round === 1 ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProf] : [];
      const migrate = timeMigrations(deployment, cellUuid, nodeFlags);
      log(`round ${round}: online-data-migrations: ${JSON.stringify(migrate)}`);
      const mismatch = await valuesMismatch(deployment, cellId, floor.values);
      if (mismatch) throw new Error(`the command ${mismatch}`);
      const rerun = timeMigrations(deployment, cellUuid);
      log(`round ${round}: re-run: ${JSON.stringify(rerun)}`);
      if (rerun.summary.some((r) => r.completed !== 0)) throw new Error('the re-run migrated rows');
      rounds.push({ floor, migrate, rerun });
    }
    let nova: NovaRun | undefined;
    if (options.nova) {
      await resetMappings(deployment, cellId);
      const precreatedDefaultSecurityGroup = dialect === 'sqlite' && (await precreateDefaultSecurityGroup(deployment));
      if (precreatedDefaultSecurityGroup) log(`nova: created the cell's 'default' security group (project_id NULL) first, or Nova's run fails with "database is locked" on SQLite`);
      await settle(deployment, dialect);
      log(`nova: nova-manage db online_data_migrations over ${mappings} mappings (batches of 50; progress every ${NOVA_PROGRESS_EVERY_MS / 1000} s, killed after ${NOVA_TIMEOUT_MS / 1000} s)`);
      const run = await timeNova(writeNovaConf(deployment), deployment);
      const mismatch = await valuesMismatch(deployment, cellId, rounds[rounds.length - 1].floor.values);
      nova = { ...run, precreatedDefaultSecurityGroup, valuesMismatch: mismatch === null ? null : `Nova ${mismatch}` };
      log(`nova: ${JSON.stringify(nova)}`);
      if (mismatch) log(`nova: WARNING: Nova ${mismatch}`);
    }
    const rss = (values: Array<number | null>) => (values.every((v): v is number => v !== null) ? median(values) : null);
    return {
      dialect,
      settings,
      instances,
      mappings,
      census,
      generateSeconds,
      rounds,
      median: {
        floorSeconds: median(rounds.map((r) => r.floor.seconds)),
        migrateSeconds: median(rounds.map((r) => r.migrate.seconds)),
        migrateRssMiB: rss(rounds.map((r) => r.migrate.peakRssMiB)),
        rerunSeconds: median(rounds.map((r) => r.rerun.seconds)),
        rerunRssMiB: rss(rounds.map((r) => r.rerun.peakRssMiB)),
      },
      nova,
    };
  } finally {
    if (options.keep) log(`kept: ${deployment.configFile}`);
    else await dropDeployment(deployment, dialect);
  }
}

async function describeSettings(deployment: BenchDeployment, withNova: boolean): Promise<Record<string, string | number>> {
  const machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memory_gib: Math.round(totalmem() / 2 ** 30), node: process.version, cellctl: cellctlRevision(), ...(withNova ? { nova: novaVersion() } : {}) };
  const server = await withApi(deployment, async (db, dialect) => {
    if (dialect === 'sqlite') {
      const r = await sql<Record<string, string | number>>`
        SELECT sqlite_version() AS sqlite_version, (SELECT journal_mode FROM pragma_journal_mode) AS journal_mode,
               (SELECT synchronous FROM pragma_synchronous) AS synchronous, (SELECT cache_size FROM pragma_cache_size) AS cache_size`.execute(db);
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
  if (s.sqlite_version !== undefined) return `${machine}; SQLite ${s.sqlite_version}, journal_mode ${s.journal_mode}, synchronous ${s.synchronous}, cache_size ${s.cache_size}`;
  return (
    `${machine}; ${s.version}: innodb_buffer_pool_size ${Math.round(Number(s.innodb_buffer_pool_size) / 2 ** 20)} MiB, ` +
    `innodb_flush_log_at_trx_commit ${s.innodb_flush_log_at_trx_commit}, log_bin ${Number(s.log_bin) ? 'ON' : 'OFF'}, sync_binlog ${s.sync_binlog}`
  );
}

const TABLE_HEADER = [
  '| dialect | instances | mappings | rounds | floor s | online-data-migrations s | ratio | mappings/s | peak RSS MiB | re-run s | re-run RSS MiB |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
];
/** The columns --nova adds: Nova's one run (a note after its time when it failed or left other values). */
const NOVA_HEADER = [' nova s | nova/floor | nova peak RSS MiB |', '---|---|---|'];

function tableHeader(withNova: boolean): string[] {
  return withNova ? TABLE_HEADER.map((line, k) => line + NOVA_HEADER[k]) : TABLE_HEADER;
}

const rssCell = (value: number | null) => (value === null ? 'n/a' : value.toFixed(0));

function tableRow(r: BenchResult, withNova: boolean): string {
  const m = r.median;
  const row =
    `| ${r.dialect === 'mysql' ? 'MariaDB' : 'SQLite'} | ${r.instances.toLocaleString('en-US')} | ${r.mappings.toLocaleString('en-US')} | ${r.rounds.length} | ` +
    `${m.floorSeconds.toFixed(2)} | ${m.migrateSeconds.toFixed(2)} | ${(m.migrateSeconds / m.floorSeconds).toFixed(2)}x | ` +
    `${Math.round(r.mappings / m.migrateSeconds).toLocaleString('en-US')} | ${rssCell(m.migrateRssMiB)} | ${m.rerunSeconds.toFixed(2)} | ${rssCell(m.rerunRssMiB)} |`;
  if (!withNova) return row;
  if (!r.nova) return `${row} n/a | n/a | n/a |`;
  const n = r.nova;
  const notes = [n.timedOut ? 'timed out' : n.exitCode !== 0 ? `rc ${n.exitCode}` : '', n.valuesMismatch ? 'other values' : ''].filter((x) => x !== '');
  return `${row} ${n.seconds.toFixed(2)}${notes.length ? ` (${notes.join(', ')})` : ''} | ${(n.seconds / m.floorSeconds).toFixed(0)}x | ${rssCell(n.peakRssMiB)} |`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dialect: { type: 'string', default: 'sqlite' },
      instances: { type: 'string', default: '100000' },
      'compute-hosts': { type: 'string', default: '50' },
      rounds: { type: 'string', default: '1' },
      keep: { type: 'boolean', default: false },
      nova: { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
    },
  });
  const dialect = values.dialect as Dialect;
  if (dialect !== 'mysql' && dialect !== 'sqlite') throw new Error(`--dialect must be mysql or sqlite, not ${values.dialect}`);
  const sizes = values.instances.split(',').map((s) => Number(s.replace(/_/g, '')));
  if (sizes.some((n) => !Number.isSafeInteger(n) || n < 1)) throw new Error(`--instances must be positive whole numbers, not ${values.instances}`);
  const rounds = Number(values.rounds);
  if (!Number.isSafeInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive whole number, not ${values.rounds}`);

  const results: BenchResult[] = [];
  for (const [k, instances] of sizes.entries()) {
    results.push(await benchOne(dialect, instances, { computeHosts: Number(values['compute-hosts']), rounds, keep: values.keep, nova: values.nova, cpuProf: k === 0 ? values['cpu-prof'] : undefined }));
  }
  const out = process.stdout;
  out.write(`online-data-migrations benchmark (${MIGRATIONS.join(' + ')}), ${new Date().toISOString().slice(0, 10)}: ${settingsLine(results[0].settings)}\n\n`);
  out.write(`${[...tableHeader(values.nova), ...results.map((r) => tableRow(r, values.nova))].join('\n')}\n\n`);
  for (const r of results) out.write(`${JSON.stringify({ benchmark: 'online-data-migrations', ...r })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
