/**
 * The map-instances benchmark (targets in product.md, figures in docs/performance.md). For each
 * size it creates a fresh API database and cell database (MariaDB/MySQL databases named
 * `cellctl_bench_*`, or SQLite files in a temporary directory) with cellctl's own `api-db sync`,
 * `db sync` and `cell create`, fills the cell with sample instances (sample-deployment.ts), and
 * times, in the same run:
 *   1. the floor: one server-side `INSERT IGNORE ... SELECT` of the same rows from the cell's
 *      `instances` into an empty copy of `instance_mappings` (same columns, indexes and foreign key;
 *      SQLite: `INSERT OR IGNORE` with the cell file attached), and for information the same
 *      statement with `ORDER BY uuid`;
 *   2. `cellctl map-instances --cell <uuid>` as a process: wall time, instances/s, peak RSS (GNU time);
 *   3. the same command again, with nothing left to map;
 * with --rounds R, R times on the same data (instance_mappings emptied in between), medians shown.
 * It checks that the command mapped exactly the rows the floor did, drops what it created, and
 * prints the settings, a markdown table and one JSON line per size on stdout (progress on stderr).
 * Run it on an otherwise idle machine: each step's JSON records how busy the CPUs were.
 *
 *   npm run build
 *   node dist/bench/map-instances-bench.js --dialect mysql --instances 100000,1000000
 *   node dist/bench/map-instances-bench.js --dialect sqlite --instances 100000 --rounds 3
 *
 * Options: --dialect mysql|sqlite (default sqlite), --instances N[,N...] (default 100000),
 * --compute-hosts K (default 50), --rounds R (default 1), --keep (leave the databases),
 * --cpu-prof DIR (profile the first map-instances run: node --cpu-prof), --debug-log FILE (run it
 * with --debug, its stderr to FILE). The MySQL server is the one of CELLCTL_BENCH_MYSQL_URL
 * (default mysql+pymysql://root@127.0.0.1:3306).
 */
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
  log,
  median,
  quoteMysql,
  settle,
  timeNode,
  watchCpu,
  type BenchDeployment,
  type Dialect,
} from './bench-kit';

const FLOOR_TABLE = 'instance_mappings_floor';

/** One timed run of a cellctl command. */
interface ProcessRun {
  seconds: number;
  /** How busy the whole machine's CPUs were meanwhile, in % (anything else running shows here). */
  machineCpuPct: number | null;
  /** Peak resident set size in MiB (GNU time's %M), null when GNU time is absent. */
  peakRssMiB: number | null;
  exitCode: number;
  /** The command's result rows (-f json). */
  rows: Array<{ found: number; mapped: number; remaining: number; seconds: number }>;
}

/** One repetition: the floor, the command, and the command again with nothing to map. */
interface BenchRound {
  floor: { seconds: number; machineCpuPct: number | null; rows: number; queuedForDelete: number };
  /** The same statement with ORDER BY uuid (informative: not the floor the targets name). */
  orderedFloor: { seconds: number; machineCpuPct: number | null; rows: number; queuedForDelete: number };
  mapInstances: ProcessRun;
  rerun: ProcessRun;
}

/** The measurements of one size: every round, and the medians the table shows. */
interface BenchResult {
  dialect: Dialect;
  settings: Record<string, string | number>;
  instances: number;
  census: SampleCellCensus;
  generateSeconds: number;
  rounds: BenchRound[];
  median: { floorSeconds: number; orderedFloorSeconds: number; mapSeconds: number; mapRssMiB: number | null; rerunSeconds: number; rerunRssMiB: number | null };
}

/** Runs `cellctl map-instances --cell <uuid> -q -f json` under GNU time: wall time, peak RSS, result rows. */
function timeMapInstances(deployment: BenchDeployment, cellUuid: string, extra: { nodeFlags?: string[]; debugLog?: string } = {}): ProcessRun {
  const args = [...(extra.nodeFlags ?? []), CELLCTL, '--config-file', deployment.configFile, '-f', 'json'];
  args.push(...(extra.debugLog ? ['--debug'] : ['-q']), 'map-instances', '--cell', cellUuid);
  const { stdout, stderr: _stderr, ...run } = timeNode(deployment, args, 'map-instances', extra.debugLog);
  return { ...run, rows: JSON.parse(stdout) };
}

async function withApi<R>(deployment: BenchDeployment, work: (db: Kysely<any>, dialect: Dialect) => Promise<R>): Promise<R> {
  const dbs = createDatabaseContext({ apiDatabaseConnection: deployment.apiUrl, cwd: deployment.dir });
  try {
    const handle = await dbs.api();
    return await work(handle.db as Kysely<any>, handle.url.dialect);
  } finally {
    await dbs.close();
  }
}

/**
 * The floor: one INSERT IGNORE ... SELECT of the cell's mappable instances into an empty copy of
 * instance_mappings, in the order the server reads them (`ordered`: sorted by UUID first, so the
 * unique indexes fill in order: what the server can do when the order is chosen for it).
 */
async function measureFloor(deployment: BenchDeployment, cellId: number, ordered = false): Promise<BenchRound['floor']> {
  return withApi(deployment, async (db, dialect) => {
    const queued = `CASE WHEN deleted <> 0 OR vm_state = 'soft-delete' THEN 1 ELSE 0 END`;
    let source: string;
    let insert: string;
    let now: string;
    if (dialect === 'mysql') {
      await sql.raw(`CREATE TABLE ${FLOOR_TABLE} LIKE instance_mappings`).execute(db);
      // NOTE: CREATE TABLE ... LIKE leaves foreign keys out; the real table has this one.
      await sql.raw(`ALTER TABLE ${FLOOR_TABLE} ADD FOREIGN KEY (cell_id) REFERENCES cell_mappings (id)`).execute(db);
      source = `${quoteMysql(deployment.cellDatabase)}.instances`;
      insert = 'INSERT IGNORE';
      now = 'UTC_TIMESTAMP()';
    } else {
      await copySqliteTable(db, 'instance_mappings', FLOOR_TABLE);
      await sql`ATTACH DATABASE ${deployment.cellUrl.slice('sqlite:///'.length)} AS cell`.execute(db);
      source = 'cell.instances';
      insert = 'INSERT OR IGNORE';
      now = `strftime('%Y-%m-%d %H:%M:%S', 'now')`;
    }
    const cpu = watchCpu();
    const start = process.hrtime.bigint();
    await sql
      .raw(
        `${insert} INTO ${FLOOR_TABLE} (instance_uuid, cell_id, project_id, user_id, queued_for_delete, created_at) ` +
          `SELECT uuid, ${cellId}, project_id, user_id, ${queued}, ${now} FROM ${source} WHERE hidden IS NULL OR hidden = 0` +
          (ordered ? ' ORDER BY uuid' : ''),
      )
      .execute(db);
    const seconds = elapsed(start);
    const machineCpuPct = cpu();
    const counts = await countMappings(db, FLOOR_TABLE, cellId);
    if (dialect === 'sqlite') await sql`DETACH DATABASE cell`.execute(db);
    await sql.raw(`DROP TABLE ${FLOOR_TABLE}`).execute(db);
    return { seconds, machineCpuPct, ...counts };
  });
}

/** Creates `copy` in a SQLite database with the DDL of `table` (columns, keys, indexes), renamed. */
async function copySqliteTable(db: Kysely<any>, table: string, copy: string): Promise<void> {
  const ddl = await sql<{ type: string; name: string; sql: string }>`SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ${table} AND sql IS NOT NULL ORDER BY type DESC`.execute(db);
  for (const row of ddl.rows) {
    const renamed = row.sql
      .replace(`"${table}"`, `"${copy}"`)
      .replace(new RegExp(`^CREATE (UNIQUE )?INDEX "${row.name}"`), (_match, unique: string | undefined) => `CREATE ${unique ?? ''}INDEX "${copy}_${row.name}"`);
    await sql.raw(renamed).execute(db);
  }
}

async function countMappings(db: Kysely<any>, table: string, cellId: number): Promise<{ rows: number; queuedForDelete: number }> {
  const r = await sql<{ n: number | string; q: number | string | null }>`
    SELECT COUNT(*) AS n, SUM(CASE WHEN queued_for_delete = 1 THEN 1 ELSE 0 END) AS q FROM ${sql.table(table)} WHERE cell_id = ${cellId}`.execute(db);
  return { rows: Number(r.rows[0].n), queuedForDelete: Number(r.rows[0].q ?? 0) };
}

async function benchOne(
  dialect: Dialect,
  instances: number,
  options: { computeHosts: number; rounds: number; keep: boolean; cpuProf?: string; debugLog?: string },
): Promise<BenchResult> {
  const deployment = createDeployment('bench', dialect, instances);
  log(`${dialect}, ${instances} instances: ${deployment.dir}`);
  try {
    cellctl(deployment, ['-q', 'api-db', 'sync']);
    cellctl(deployment, ['-q', 'db', 'sync']);
    const settings = await describeSettings(deployment);
    const cellUuid = cellctl(deployment, ['cell', 'create', '--name', 'cell1', '--database-connection', deployment.cellUrl, '--transport-url', 'fake://bench/']).trim();
    const cellId = await withApi(deployment, async (db) => {
      const row = await sql<{ id: number }>`SELECT id FROM cell_mappings WHERE uuid = ${cellUuid}`.execute(db);
      return Number(row.rows[0].id);
    });

    const start = process.hrtime.bigint();
    const census = await populateCell(deployment.cellUrl, {
      instances,
      computeHosts: options.computeHosts,
      cwd: deployment.dir,
      onProgress: (added, total) => log(`generated ${added}/${total} instances (${elapsed(start).toFixed(1)} s)`),
    });
    const generateSeconds = elapsed(start);
    log(`generated in ${generateSeconds.toFixed(1)} s: ${JSON.stringify(census)}`);
    await settle(deployment, dialect);

    const rounds: BenchRound[] = [];
    for (let round = 1; round <= options.rounds; round += 1) {
      if (round > 1) {
        await withApi(deployment, (db) => sql.raw(dialect === 'mysql' ? 'TRUNCATE TABLE instance_mappings' : 'DELETE FROM instance_mappings').execute(db));
        await settle(deployment, dialect);
      }
      const floor = await measureFloor(deployment, cellId);
      log(`round ${round}: floor: ${floor.rows} rows in ${floor.seconds.toFixed(2)} s (machine CPU ${floor.machineCpuPct}% busy)`);
      if (floor.rows !== census.mappable) throw new Error(`the floor inserted ${floor.rows} rows, expected ${census.mappable}`);
      await settle(deployment, dialect);
      const orderedFloor = await measureFloor(deployment, cellId, true);
      log(`round ${round}: floor ORDER BY uuid: ${orderedFloor.rows} rows in ${orderedFloor.seconds.toFixed(2)} s (machine CPU ${orderedFloor.machineCpuPct}% busy)`);
      await settle(deployment, dialect);

      // Only the first round is profiled or logged: one profile, one log.
      const nodeFlags = options.cpuProf && round === 1 ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProf] : [];
      const mapInstances = timeMapInstances(deployment, cellUuid, { nodeFlags, debugLog: round === 1 ? options.debugLog : undefined });
      log(`round ${round}: map-instances: ${JSON.stringify(mapInstances)}`);
      const mappings = await withApi(deployment, (db) => countMappings(db, 'instance_mappings', cellId));
      if (mappings.rows !== floor.rows || mappings.queuedForDelete !== floor.queuedForDelete) {
        throw new Error(`map-instances left ${JSON.stringify(mappings)} mappings, the floor ${JSON.stringify(floor)}`);
      }
      const rerun = timeMapInstances(deployment, cellUuid);
      log(`round ${round}: re-run: ${JSON.stringify(rerun)}`);
      if (rerun.rows.some((r) => r.mapped !== 0)) throw new Error('the re-run mapped instances');
      rounds.push({ floor, orderedFloor, mapInstances, rerun });
    }
    const rss = (values: Array<number | null>) => (values.every((v): v is number => v !== null) ? median(values) : null);
    return {
      dialect,
      settings,
      instances,
      census,
      generateSeconds,
      rounds,
      median: {
        floorSeconds: median(rounds.map((r) => r.floor.seconds)),
        orderedFloorSeconds: median(rounds.map((r) => r.orderedFloor.seconds)),
        mapSeconds: median(rounds.map((r) => r.mapInstances.seconds)),
        mapRssMiB: rss(rounds.map((r) => r.mapInstances.peakRssMiB)),
        rerunSeconds: median(rounds.map((r) => r.rerun.seconds)),
        rerunRssMiB: rss(rounds.map((r) => r.rerun.peakRssMiB)),
      },
    };
  } finally {
    if (options.keep) log(`kept: ${deployment.configFile}`);
    else await dropDeployment(deployment, dialect);
  }
}

/** The settings that decide the figures: the machine, and the server's (or SQLite's) configuration as cellctl connects. */
async function describeSettings(deployment: BenchDeployment): Promise<Record<string, string | number>> {
  const machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memory_gib: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    cellctl: cellctlRevision(),
  };
  const server = await withApi(deployment, async (db, dialect) => {
    if (dialect === 'sqlite') {
      const r = await sql<Record<string, string | number>>`
        SELECT sqlite_version() AS sqlite_version, (SELECT journal_mode FROM pragma_journal_mode) AS journal_mode,
               (SELECT synchronous FROM pragma_synchronous) AS synchronous, (SELECT cache_size FROM pragma_cache_size) AS cache_size,
               (SELECT page_size FROM pragma_page_size) AS page_size`.execute(db);
      return r.rows[0];
    }
    const r = await sql<Record<string, string | number>>`
      SELECT VERSION() AS version, @@innodb_buffer_pool_size AS innodb_buffer_pool_size,
             @@innodb_flush_log_at_trx_commit AS innodb_flush_log_at_trx_commit, @@log_bin AS log_bin, @@sync_binlog AS sync_binlog,
             @@innodb_log_file_size AS innodb_log_file_size, @@innodb_flush_method AS innodb_flush_method,
             @@innodb_doublewrite AS innodb_doublewrite`.execute(db);
    return r.rows[0];
  });
  return { ...machine, ...server };
}

const mib = (bytes: string | number): string => `${Math.round(Number(bytes) / 2 ** 20)} MiB`;

function settingsLine(dialect: Dialect, s: Record<string, string | number>): string {
  const machine = `cellctl ${s.cellctl}; ${s.cores} cores (${s.cpu}), ${s.memory_gib} GiB, Node ${s.node}`;
  if (dialect === 'sqlite') {
    return `${machine}; SQLite ${s.sqlite_version} (better-sqlite3), journal_mode ${s.journal_mode}, synchronous ${s.synchronous}, cache_size ${s.cache_size}, page_size ${s.page_size}`;
  }
  return (
    `${machine}; ${s.version}: innodb_buffer_pool_size ${mib(s.innodb_buffer_pool_size)}, innodb_flush_log_at_trx_commit ${s.innodb_flush_log_at_trx_commit}, ` +
    `log_bin ${Number(s.log_bin) ? 'ON' : 'OFF'}, sync_binlog ${s.sync_binlog}, innodb_log_file_size ${mib(s.innodb_log_file_size)}, ` +
    `innodb_flush_method ${s.innodb_flush_method}, innodb_doublewrite ${s.innodb_doublewrite}`
  );
}

const TABLE_HEADER = [
  '| dialect | instances | mapped | rounds | floor s | map-instances s | ratio | instances/s | peak RSS MiB | re-run s | re-run RSS MiB | floor ORDER BY uuid s |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
];

function tableRow(r: BenchResult): string {
  const mapped = r.census.mappable;
  const m = r.median;
  const rss = (value: number | null) => (value === null ? 'n/a' : value.toFixed(0));
  return (
    `| ${r.dialect === 'mysql' ? 'MariaDB' : 'SQLite'} | ${r.instances.toLocaleString('en-US')} | ${mapped.toLocaleString('en-US')} | ${r.rounds.length} | ` +
    `${m.floorSeconds.toFixed(2)} | ${m.mapSeconds.toFixed(2)} | ${(m.mapSeconds / m.floorSeconds).toFixed(2)}x | ` +
    `${Math.round(mapped / m.mapSeconds).toLocaleString('en-US')} | ${rss(m.mapRssMiB)} | ${m.rerunSeconds.toFixed(2)} | ${rss(m.rerunRssMiB)} | ${m.orderedFloorSeconds.toFixed(2)} |`
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
      'debug-log': { type: 'string' },
    },
  });
  const dialect = values.dialect as Dialect;
  if (dialect !== 'mysql' && dialect !== 'sqlite') throw new Error(`--dialect must be mysql or sqlite, not ${values.dialect}`);
  const sizes = values.instances.split(',').map((s) => Number(s.replace(/_/g, '')));
  if (sizes.some((n) => !Number.isSafeInteger(n) || n < 1)) throw new Error(`--instances must be positive whole numbers, not ${values.instances}`);
  const computeHosts = Number(values['compute-hosts']);
  const rounds = Number(values.rounds);
  if (!Number.isSafeInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive whole number, not ${values.rounds}`);

  const results: BenchResult[] = [];
  for (const [k, instances] of sizes.entries()) {
    results.push(
      await benchOne(dialect, instances, {
        computeHosts,
        rounds,
        keep: values.keep,
        // Only the first size is profiled or logged: one profile, one log.
        cpuProf: k === 0 ? values['cpu-prof'] : undefined,
        debugLog: k === 0 ? values['debug-log'] : undefined,
      }),
    );
  }
  const out = process.stdout;
  out.write(`map-instances benchmark, ${new Date().toISOString().slice(0, 10)}: ${settingsLine(dialect, results[0].settings)}\n\n`);
  out.write(`${[...TABLE_HEADER, ...results.map(tableRow)].join('\n')}\n\n`);
  for (const r of results) out.write(`${JSON.stringify({ benchmark: 'map-instances', ...r })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
