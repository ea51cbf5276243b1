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
 *   npm run build
 *   node dist/bench/online-data-migrations-bench.js --dialect mysql --instances 1000000 --rounds 3
 *   node dist/bench/online-data-migrations-bench.js --dialect sqlite --instances 100000,1000000
 *
 * Options: --dialect mysql|sqlite (default sqlite), --instances N[,N...] (default 100000),
 * --compute-hosts K (default 50), --rounds R (default 1), --keep (leave the databases),
 * --cpu-prof DIR (profile the first run: node --cpu-prof). The MySQL server is the one of
 * CELLCTL_BENCH_MYSQL_URL (default mysql+pymysql://root@127.0.0.1:3306).
 */
import { spawnSync, type SpawnSyncOptionsWithStringEncoding } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { replaceDatabaseName } from '../src/domain/database-url';
import { createDatabaseContext } from '../src/services/database-context.service';
import { populateCell, type SampleCellCensus } from './sample-deployment';

const CELLCTL = join(__dirname, '..', '..', 'bin', 'cellctl');
const GNU_TIME = '/usr/bin/time';
const DEFAULT_MYSQL_SERVER = 'mysql+pymysql://root@127.0.0.1:3306';
const MIGRATIONS = ['populate_queued_for_delete', 'populate_user_id'];
/** Nova's VIF marker project (its mapping never gets a user_id). */
const MARKER_PROJECT = '00000000-0000-0000-0000-000000000000';
const SETTLE_TIMEOUT_MS = 300_000;

type Dialect = 'mysql' | 'sqlite';

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
}

interface BenchDeployment {
  dir: string;
  configFile: string;
  apiUrl: string;
  cellUrl: string;
  apiDatabase: string;
  cellDatabase: string;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function elapsed(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function cpuCounters(): { busy: number; total: number } | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    return { busy: total - fields[3] - fields[4], total };
  } catch {
    return null;
  }
}

/** Starts watching the machine's CPU use; the returned function gives the busy share since, in %. */
function watchCpu(): () => number | null {
  const before = cpuCounters();
  return () => {
    const after = cpuCounters();
    if (!before || !after || after.total === before.total) return null;
    return Math.round((100 * (after.busy - before.busy)) / (after.total - before.total));
  };
}

function childOptions(deployment: BenchDeployment): SpawnSyncOptionsWithStringEncoding {
  return { encoding: 'utf8', env: { ...process.env, CELLCTL_HOME: deployment.dir }, maxBuffer: 256 * 1024 * 1024 };
}

function cellctl(deployment: BenchDeployment, args: string[]): string {
  const r = spawnSync(process.execPath, [CELLCTL, '--config-file', deployment.configFile, ...args], childOptions(deployment));
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`cellctl ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Runs the two migrations as a process under GNU time: wall time, peak RSS, the summary rows. */
function timeMigrations(deployment: BenchDeployment, cellUuid: string, nodeFlags: string[] = []): ProcessRun {
  const args = [...nodeFlags, CELLCTL, '--config-file', deployment.configFile, '-q', '-f', 'json', 'online-data-migrations', '--cell', cellUuid];
  for (const m of MIGRATIONS) args.push('--migration', m);
  const timeFile = join(deployment.dir, 'time.out');
  const withTime = existsSync(GNU_TIME);
  const cpu = watchCpu();
  const start = process.hrtime.bigint();
  const r = withTime
    ? spawnSync(GNU_TIME, ['-f', '%M', '-o', timeFile, process.execPath, ...args], childOptions(deployment))
    : spawnSync(process.execPath, args, childOptions(deployment));
  const seconds = elapsed(start);
  const machineCpuPct = cpu();
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`online-data-migrations exited ${r.status}: ${r.stderr.trim().split('\n').slice(-5).join('\n')}`);
  const peakKiB = withTime ? Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop()) : NaN;
  const summary = (JSON.parse(r.stdout) as Array<ProcessRun['summary'][number] & { cells: unknown }>).map(({ cells: _cells, ...row }) => row);
  return { seconds, machineCpuPct, peakRssMiB: Number.isFinite(peakKiB) ? peakKiB / 1024 : null, exitCode: r.status, summary };
}

function createDeployment(dialect: Dialect, instances: number): BenchDeployment {
  const dir = mkdtempSync(join(tmpdir(), `cellctl-odmbench-${dialect}-`));
  let apiUrl: string;
  let cellUrl: string;
  let apiDatabase = '';
  let cellDatabase = '';
  if (dialect === 'sqlite') {
    apiUrl = `sqlite:///${join(dir, 'nova_api.sqlite')}`;
    cellUrl = `sqlite:///${join(dir, 'nova_cell1.sqlite')}`;
  } else {
    const server = process.env.CELLCTL_BENCH_MYSQL_URL || DEFAULT_MYSQL_SERVER;
    const prefix = `cellctl_odmbench_${process.pid}_${instances}`;
    apiDatabase = `${prefix}_api`;
    cellDatabase = `${prefix}_cell1`;
    apiUrl = replaceDatabaseName(server, apiDatabase);
    cellUrl = replaceDatabaseName(server, cellDatabase);
  }
  const configFile = join(dir, 'nova.conf');
  writeFileSync(configFile, `[DEFAULT]\ntransport_url = fake://bench/\n[api_database]\nconnection = ${apiUrl}\n[database]\nconnection = ${cellUrl}\n`, { mode: 0o600 });
  return { dir, configFile, apiUrl, cellUrl, apiDatabase, cellDatabase };
}

const quoteMysql = (name: string): string => `\`${name.replace(/`/g, '``')}\``;

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

/** Lets MySQL write out dirty pages and finish purging before a timed step (SQLite needs nothing). */
async function settle(deployment: BenchDeployment, dialect: Dialect): Promise<void> {
  if (dialect === 'sqlite') return;
  await withApi(deployment, async (db) => {
    await db.connection().execute(async (conn) => {
      await sql.raw(`FLUSH TABLES ${quoteMysql(deployment.cellDatabase)}.instances, ${quoteMysql(deployment.apiDatabase)}.instance_mappings FOR EXPORT`).execute(conn);
      await sql`UNLOCK TABLES`.execute(conn);
    });
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    for (;;) {
      const r = await sql<{ value: string }>`
        SELECT variable_value AS value FROM information_schema.GLOBAL_STATUS WHERE variable_name = 'INNODB_HISTORY_LIST_LENGTH'`.execute(db);
      const history = Number(r.rows[0]?.value ?? 0);
      if (history < 1000 || Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  });
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

async function dropDeployment(deployment: BenchDeployment, dialect: Dialect): Promise<void> {
  if (dialect === 'mysql') {
    const dbs = createDatabaseContext({ apiDatabaseConnection: deployment.apiUrl, cwd: deployment.dir });
    try {
      const db = (await dbs.api()).db as Kysely<any>;
      for (const name of [deployment.cellDatabase, deployment.apiDatabase]) await sql.raw(`DROP DATABASE IF EXISTS ${quoteMysql(name)}`).execute(db);
    } finally {
      await dbs.close();
    }
  }
  rmSync(deployment.dir, { recursive: true, force: true });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

async function benchOne(dialect: Dialect, instances: number, options: { computeHosts: number; rounds: number; keep: boolean; cpuProf?: string }): Promise<BenchResult> {
  const deployment = createDeployment(dialect, instances);
  log(`${dialect}, ${instances} instances: ${deployment.dir}`);
  try {
    cellctl(deployment, ['-q', 'api-db', 'sync']);
    cellctl(deployment, ['-q', 'db', 'sync']);
    const settings = await describeSettings(deployment);
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
      const values = await withApi(deployment, (db) => mappingValues(db, cellId));
      if (JSON.stringify(values) !== JSON.stringify(floor.values)) throw new Error(`the command left ${JSON.stringify(values)}, the floor ${JSON.stringify(floor.values)}`);
      const rerun = timeMigrations(deployment, cellUuid);
      log(`round ${round}: re-run: ${JSON.stringify(rerun)}`);
      if (rerun.summary.some((r) => r.completed !== 0)) throw new Error('the re-run migrated rows');
      rounds.push({ floor, migrate, rerun });
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
    };
  } finally {
    if (options.keep) log(`kept: ${deployment.configFile}`);
    else await dropDeployment(deployment, dialect);
  }
}

function cellctlRevision(): string {
  const git = (args: string[]) => spawnSync('git', args, { cwd: join(__dirname, '..', '..'), encoding: 'utf8' });
  const head = git(['rev-parse', '--short', 'HEAD']);
  if (head.status !== 0) return 'unknown';
  const changed = git(['status', '--porcelain', '--', 'src']).stdout.trim() !== '';
  return `${head.stdout.trim()}${changed ? '+src changes' : ''}`;
}

async function describeSettings(deployment: BenchDeployment): Promise<Record<string, string | number>> {
  const machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memory_gib: Math.round(totalmem() / 2 ** 30), node: process.version, cellctl: cellctlRevision() };
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
  const machine = `cellctl ${s.cellctl}; ${s.cores} cores (${s.cpu}), ${s.memory_gib} GiB, Node ${s.node}`;
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

function tableRow(r: BenchResult): string {
  const m = r.median;
  const rss = (value: number | null) => (value === null ? 'n/a' : value.toFixed(0));
  return (
    `| ${r.dialect === 'mysql' ? 'MariaDB' : 'SQLite'} | ${r.instances.toLocaleString('en-US')} | ${r.mappings.toLocaleString('en-US')} | ${r.rounds.length} | ` +
    `${m.floorSeconds.toFixed(2)} | ${m.migrateSeconds.toFixed(2)} | ${(m.migrateSeconds / m.floorSeconds).toFixed(2)}x | ` +
    `${Math.round(r.mappings / m.migrateSeconds).toLocaleString('en-US')} | ${rss(m.migrateRssMiB)} | ${m.rerunSeconds.toFixed(2)} | ${rss(m.rerunRssMiB)} |`
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dialect: { type: 'string', default: 'sqlite' },
      instances: { type: 'string', default: '100000' },
      'compute-hosts': { type: 'string', default: '50' },
      rounds: { type: 'string', default: '1' },
      keep: { type: 'boolean', default: false },
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
    results.push(await benchOne(dialect, instances, { computeHosts: Number(values['compute-hosts']), rounds, keep: values.keep, cpuProf: k === 0 ? values['cpu-prof'] : undefined }));
  }
  const out = process.stdout;
  out.write(`online-data-migrations benchmark (${MIGRATIONS.join(' + ')}), ${new Date().toISOString().slice(0, 10)}: ${settingsLine(results[0].settings)}\n\n`);
  out.write(`${[...TABLE_HEADER, ...results.map(tableRow)].join('\n')}\n\n`);
  for (const r of results) out.write(`${JSON.stringify({ benchmark: 'online-data-migrations', ...r })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
