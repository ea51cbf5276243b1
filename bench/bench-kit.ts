/**
 * What the benchmarks share: a throw-away deployment (SQLite files in a temporary directory, or two
 * MySQL databases), running bin/cellctl on it, timing a run under GNU time with the machine's CPU
 * use beside it, letting MySQL settle between timed steps, and the figures' bookkeeping.
 */
import { spawnSync, type SpawnSyncOptionsWithStringEncoding } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { replaceDatabaseName } from '../src/domain/database-url';
import { createDatabaseContext } from '../src/services/database-context.service';

export const CELLCTL = join(__dirname, '..', '..', 'bin', 'cellctl');
export const GNU_TIME = '/usr/bin/time';
const DEFAULT_MYSQL_SERVER = 'mysql+pymysql://root@127.0.0.1:3306';
/** The longest wait for MySQL's purge before a timed step. */
const SETTLE_TIMEOUT_MS = 300_000;

export type Dialect = 'mysql' | 'sqlite';

/** Where one size's deployment lives. */
export interface BenchDeployment {
  dir: string;
  configFile: string;
  apiUrl: string;
  cellUrl: string;
  /** MySQL database names (empty for SQLite). */
  apiDatabase: string;
  cellDatabase: string;
}

/** One timed process: wall time, the machine's CPU use meanwhile, peak RSS, exit code, stdout. */
export interface TimedRun {
  seconds: number;
  /** How busy the whole machine's CPUs were meanwhile, in % (anything else running shows here). */
  machineCpuPct: number | null;
  /** Peak resident set size in MiB (GNU time's %M), null when GNU time is absent. */
  peakRssMiB: number | null;
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

export function elapsed(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** The machine's CPU time counters (Linux /proc/stat), or null elsewhere. */
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
export function watchCpu(): () => number | null {
  const before = cpuCounters();
  return () => {
    const after = cpuCounters();
    if (!before || !after || after.total === before.total) return null;
    return Math.round((100 * (after.busy - before.busy)) / (after.total - before.total));
  };
}

/** How the benches run child processes: output captured, and an embedded home of the deployment's own, never the user's. */
export function childOptions(deployment: BenchDeployment): SpawnSyncOptionsWithStringEncoding {
  return { encoding: 'utf8', env: { ...process.env, CELLCTL_HOME: deployment.dir }, maxBuffer: 256 * 1024 * 1024 };
}

/** Runs bin/cellctl with the deployment's configuration and returns its stdout; throws unless it exits 0. */
export function cellctl(deployment: BenchDeployment, args: string[]): string {
  const r = spawnSync(process.execPath, [CELLCTL, '--config-file', deployment.configFile, ...args], childOptions(deployment));
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`cellctl ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

/**
 * Runs `node <nodeArgs>` (node flags, bin/cellctl, its arguments) under GNU time when it is there;
 * writes its stderr to `stderrFile` when given (whatever the outcome), and throws, naming `label`,
 * unless it exits with one of `exitCodes` (0 unless told: `instance boot` exits 1 when it buries).
 */
export function timeNode(deployment: BenchDeployment, nodeArgs: string[], label: string, stderrFile?: string, exitCodes: readonly number[] = [0]): TimedRun {
  const timeFile = join(deployment.dir, 'time.out');
  const withTime = existsSync(GNU_TIME);
  const cpu = watchCpu();
  const start = process.hrtime.bigint();
  const r = withTime
    ? spawnSync(GNU_TIME, ['-f', '%M', '-o', timeFile, process.execPath, ...nodeArgs], childOptions(deployment))
    : spawnSync(process.execPath, nodeArgs, childOptions(deployment));
  const seconds = elapsed(start);
  const machineCpuPct = cpu();
  if (r.error) throw r.error;
  if (stderrFile) writeFileSync(stderrFile, r.stderr);
  if (r.status === null || !exitCodes.includes(r.status)) throw new Error(`${label} exited ${r.status}: ${r.stderr.trim().split('\n').slice(-5).join('\n')}`);
  // NOTE: GNU time prefixes "Command exited with non-zero status" lines; the figure is the last line.
  const peakKiB = withTime ? Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop()) : NaN;
  return { seconds, machineCpuPct, peakRssMiB: Number.isFinite(peakKiB) ? peakKiB / 1024 : null, exitCode: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A new deployment's files and URLs (nothing created yet): SQLite files in a temporary directory, or
 * MySQL databases `cellctl_<name>_<pid>_<instances>_api`/`_cell1` on CELLCTL_BENCH_MYSQL_URL's server.
 */
export function createDeployment(name: string, dialect: Dialect, instances: number): BenchDeployment {
  const dir = mkdtempSync(join(tmpdir(), `cellctl-${name}-${dialect}-`));
  let apiUrl: string;
  let cellUrl: string;
  let apiDatabase = '';
  let cellDatabase = '';
  if (dialect === 'sqlite') {
    apiUrl = `sqlite:///${join(dir, 'nova_api.sqlite')}`;
    cellUrl = `sqlite:///${join(dir, 'nova_cell1.sqlite')}`;
  } else {
    const server = process.env.CELLCTL_BENCH_MYSQL_URL || DEFAULT_MYSQL_SERVER;
    const prefix = `cellctl_${name}_${process.pid}_${instances}`;
    apiDatabase = `${prefix}_api`;
    cellDatabase = `${prefix}_cell1`;
    apiUrl = replaceDatabaseName(server, apiDatabase);
    cellUrl = replaceDatabaseName(server, cellDatabase);
  }
  const configFile = join(dir, 'nova.conf');
  writeFileSync(configFile, `[DEFAULT]\ntransport_url = fake://bench/\n[api_database]\nconnection = ${apiUrl}\n[database]\nconnection = ${cellUrl}\n`, { mode: 0o600 });
  return { dir, configFile, apiUrl, cellUrl, apiDatabase, cellDatabase };
}

/** Nova's interpreter: the one python3-nova (and python3-pymysql) is installed for. */
export const NOVA_PYTHON = '/usr/bin/python3';

/** A database URL as Nova's SQLAlchemy wants it: MySQL through PyMySQL, with `charset=utf8`. */
export function novaDatabaseUrl(url: string): string {
  if (url.startsWith('sqlite:')) return url;
  const pymysql = url.replace(/^mysql(\+[a-z0-9_]+)?:\/\//i, 'mysql+pymysql://');
  if (/[?&]charset=/.test(pymysql)) return pymysql;
  return `${pymysql}${pymysql.includes('?') ? '&' : '?'}charset=utf8`;
}

export const quoteMysql = (name: string): string => `\`${name.replace(/`/g, '``')}\``;

/** Runs `work` on the deployment's API database, its connections closed afterwards. */
async function onApi<R>(deployment: BenchDeployment, work: (db: Kysely<any>) => Promise<R>): Promise<R> {
  const dbs = createDatabaseContext({ apiDatabaseConnection: deployment.apiUrl, cwd: deployment.dir });
  try {
    return await work((await dbs.api()).db as Kysely<any>);
  } finally {
    await dbs.close();
  }
}

/**
 * Lets the server settle before a timed step, so that it does not pay for earlier work: MySQL
 * writes out the dirty pages of the tables involved (FLUSH TABLES ... FOR EXPORT) and is given time
 * to finish purging (history list under 1,000, at most SETTLE_TIMEOUT_MS). SQLite needs nothing:
 * closing the writer's connection checkpointed its WAL.
 */
export async function settle(deployment: BenchDeployment, dialect: Dialect): Promise<void> {
  if (dialect === 'sqlite') return;
  await onApi(deployment, async (db) => {
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

/** Drops the deployment's MySQL databases and removes its directory. */
export async function dropDeployment(deployment: BenchDeployment, dialect: Dialect): Promise<void> {
  if (dialect === 'mysql') {
    await onApi(deployment, async (db) => {
      for (const name of [deployment.cellDatabase, deployment.apiDatabase]) await sql.raw(`DROP DATABASE IF EXISTS ${quoteMysql(name)}`).execute(db);
    });
  }
  rmSync(deployment.dir, { recursive: true, force: true });
}

/** The median of a non-empty list (the lower middle value for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** The commit the measured cellctl was built from (`+src changes` when src/ differs from it), or `unknown`. */
export function cellctlRevision(): string {
  const git = (args: string[]) => spawnSync('git', args, { cwd: join(__dirname, '..', '..'), encoding: 'utf8' });
  const head = git(['rev-parse', '--short', 'HEAD']);
  if (head.status !== 0) return 'unknown';
  const changed = git(['status', '--porcelain', '--', 'src']).stdout.trim() !== '';
  return `${head.stdout.trim()}${changed ? '+src changes' : ''}`;
}
