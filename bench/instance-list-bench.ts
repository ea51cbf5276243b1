/**
 * `instance list` across cells, measured beside its floor in one run (docs/performance.md):
 *
 * 1. Newest 1,000 of N cells x M instances: cellctl's listInstances (fresh connections to the API
 *    and every cell, each cell's keyset page, the merge) against the floor, each cell's own
 *    `SELECT ... WHERE deleted = 0 ORDER BY created_at DESC, id DESC LIMIT 1000` on a fresh
 *    connection, run alone; the slowest of them is the floor. Also `cellctl instance list` as a
 *    process (start-up included), for the figure an operator sees.
 * 2. Partial: the same cells plus one at a closed port and one at a listener that accepts and never
 *    answers: `cellctl instance list --cell-timeout T` as a process must return within T + 1 s,
 *    exit 3, the two cells named.
 *
 *   node dist/bench/instance-list-bench.js [--dialect mysql|sqlite] [--cells 10] [--instances 100000]
 *                                          [--rounds 3] [--cell-timeout 2]
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { sql } from 'kysely';
import { replaceDatabaseName } from '../src/domain/database-url';
import { createDatabaseContext } from '../src/services/database-context.service';
import { listInstances } from '../src/services/instance-listing.service';
import { CELLCTL, cellctl, cellctlRevision, childOptions, createDeployment, dropDeployment, elapsed, log, median, quoteMysql, watchCpu, type BenchDeployment, type Dialect } from './bench-kit';
import { populateCell } from './sample-deployment';

interface Args {
  dialect: Dialect;
  cells: number;
  instances: number;
  rounds: number;
  cellTimeout: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { dialect: 'mysql', cells: 10, instances: 100_000, rounds: 3, cellTimeout: 2 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--dialect' && (value === 'mysql' || value === 'sqlite')) args.dialect = value;
    else if (flag === '--cells') args.cells = Number(value);
    else if (flag === '--instances') args.instances = Number(value);
    else if (flag === '--rounds') args.rounds = Number(value);
    else if (flag === '--cell-timeout') args.cellTimeout = Number(value);
    else throw new Error(`unknown argument ${flag} ${value ?? ''}`);
  }
  return args;
}

/** The URL of cell `k` (cell0 for 0): cell 1 is the deployment's own, the others beside it. */
function cellUrl(deployment: BenchDeployment, dialect: Dialect, k: number): string {
  if (k === 1) return deployment.cellUrl;
  if (dialect === 'sqlite') return `sqlite:///${join(deployment.dir, `nova_cell${k}.sqlite`)}`;
  return replaceDatabaseName(deployment.cellUrl, `${deployment.cellDatabase.replace(/_cell1$/, '')}_cell${k}`);
}

/** The floor: each cell's own newest-1,000 query on a fresh connection, alone; seconds per cell. */
async function floorSeconds(deployment: BenchDeployment, urls: string[]): Promise<number[]> {
  const seconds: number[] = [];
  for (const url of urls) {
    const dbs = createDatabaseContext({ apiDatabaseConnection: deployment.apiUrl, cwd: deployment.dir });
    try {
      const start = process.hrtime.bigint();
      const { db } = await dbs.cellDatabase({ uuid: randomUUID(), name: null, databaseConnection: url });
      const rows = await sql`SELECT id, uuid, display_name, vm_state, task_state, project_id, user_id, host, created_at, updated_at, launched_at, terminated_at, deleted
        FROM instances WHERE deleted = 0 ORDER BY created_at DESC, id DESC LIMIT 1000`.execute(db);
      seconds.push(elapsed(start));
      if (rows.rows.length !== 1000) throw new Error(`the floor query read ${rows.rows.length} rows from ${url}`);
    } finally {
      await dbs.close();
    }
  }
  return seconds;
}

/** cellctl's service: fresh connections, every cell's page, the merge; returns seconds and the UUIDs. */
async function serviceRun(deployment: BenchDeployment): Promise<{ seconds: number; uuids: string[] }> {
  const dbs = createDatabaseContext({ apiDatabaseConnection: deployment.apiUrl, databaseConnection: deployment.cellUrl, cwd: deployment.dir });
  try {
    const start = process.hrtime.bigint();
    const listing = await listInstances(dbs, { limit: 1000, cellTimeoutMs: 60_000 });
    const seconds = elapsed(start);
    if (listing.failedCells.length > 0) throw new Error(`a cell failed: ${listing.failedCells[0]!.error.message}`);
    return { seconds, uuids: listing.instances.map((i) => i.uuid) };
  } finally {
    await dbs.close();
  }
}

/** Runs bin/cellctl as a process and times it (wall clock, start-up included). */
function timedProcess(deployment: BenchDeployment, args: string[]): Promise<{ seconds: number; code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [CELLCTL, '--config-file', deployment.configFile, ...args], { env: childOptions(deployment).env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ seconds: elapsed(start), code: code ?? -1, stdout, stderr }));
  });
}

/** A port nothing listens on (taken, then freed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const fmt = (s: number) => s.toFixed(3);

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const deployment = createDeployment('list', args.dialect, args.instances);
  const urls = Array.from({ length: args.cells }, (_, k) => cellUrl(deployment, args.dialect, k + 1));
  const cell0Url = cellUrl(deployment, args.dialect, 0);
  const extraDatabases = [cell0Url, ...urls.slice(1)].map((u) => (args.dialect === 'mysql' ? new URL(u.replace(/^mysql\+pymysql/, 'mysql')).pathname.slice(1) : ''));
  const sockets: Socket[] = [];
  const hanging = createServer((socket) => void sockets.push(socket));
  try {
    log(`cellctl ${cellctlRevision()}, ${args.dialect}, ${args.cells} cells x ${args.instances} instances`);
    cellctl(deployment, ['-q', 'api-db', 'sync']);
    cellctl(deployment, ['-q', 'cell0', 'setup', '--database-connection', cell0Url]);
    for (const [k, url] of urls.entries()) cellctl(deployment, ['-q', 'cell', 'create', '--name', `cell${k + 1}`, '--database-connection', url, '--transport-url', `fake://bench/cell${k + 1}`]);
    cellctl(deployment, ['-q', 'db', 'sync', '--all-cells']);
    const load = process.hrtime.bigint();
    for (const url of urls) await populateCell(url, { instances: args.instances, computeHosts: 10, cwd: deployment.dir });
    log(`loaded ${args.cells * args.instances} instances in ${elapsed(load).toFixed(0)} s`);

    // 1. Newest 1,000 across the cells.
    const floors: number[] = [];
    const services: number[] = [];
    const processes: number[] = [];
    const cpu = watchCpu();
    let expected: string[] | undefined;
    for (let round = 0; round < args.rounds; round++) {
      const perCell = await floorSeconds(deployment, urls);
      floors.push(Math.max(...perCell));
      const run = await serviceRun(deployment);
      services.push(run.seconds);
      // The check: the merged page is the newest 1,000 of all cells (ids and timestamps ascend together in the sample).
      if (run.uuids.length !== 1000) throw new Error(`listed ${run.uuids.length}, not 1000`);
      if (expected && expected.join() !== run.uuids.join()) throw new Error('two rounds listed different instances');
      expected = run.uuids;
      const cli = await timedProcess(deployment, ['-f', 'value', '-c', 'uuid', 'instance', 'list', '--limit', '1000']);
      if (cli.code !== 0 || cli.stdout.trim().split('\n').join() !== run.uuids.join()) throw new Error(`cellctl instance list exited ${cli.code} or listed otherwise: ${cli.stderr}`);
      processes.push(cli.seconds);
      log(`round ${round + 1}: floor (slowest cell) ${fmt(floors[round]!)} s [cells ${perCell.map(fmt).join(' ')}], listInstances ${fmt(run.seconds)} s, process ${fmt(cli.seconds)} s`);
    }
    const machineCpu = cpu();

    // 2. Partial: a closed port and a listener that never answers.
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const hangPort = (hanging.address() as { port: number }).port;
    // Both are MySQL URLs on either dialect: a SQLite file has no port to close or to hang.
    const bad = 'mysql+pymysql://nova:pw@127.0.0.1';
    cellctl(deployment, ['-q', 'cell', 'create', '--name', 'closed', '--database-connection', `${bad}:${await closedPort()}/nova`, '--transport-url', 'fake://bench/closed']);
    cellctl(deployment, ['-q', 'cell', 'create', '--name', 'hanging', '--database-connection', `${bad}:${hangPort}/nova`, '--transport-url', 'fake://bench/hanging']);
    const partial: number[] = [];
    for (let round = 0; round < args.rounds; round++) {
      const r = await timedProcess(deployment, ['-f', 'value', '-c', 'uuid', 'instance', 'list', '--limit', '1000', '--cell-timeout', String(args.cellTimeout)]);
      const named = ['closed', 'hanging'].every((name) => r.stderr.includes(name));
      if (r.code !== 3 || !named) throw new Error(`partial listing exited ${r.code}, stderr: ${r.stderr}`);
      partial.push(r.seconds);
      log(`partial round ${round + 1}: ${fmt(r.seconds)} s (exit ${r.code}, budget ${args.cellTimeout + 1} s)`);
    }

    const ratio = median(services) / median(floors);
    process.stdout.write(
      [
        `| dialect | cells x instances | floor: slowest cell's query, median s | listInstances median s | ratio | \`cellctl instance list\` process median s | machine CPU % |`,
        `|---|---|---|---|---|---|---|`,
        `| ${args.dialect} | ${args.cells} x ${args.instances} | ${fmt(median(floors))} | ${fmt(median(services))} | ${ratio.toFixed(2)}x | ${fmt(median(processes))} | ${machineCpu ?? '?'} |`,
        '',
        `| dialect | cells | --cell-timeout | budget (timeout + 1 s) | process s per round | exit |`,
        `|---|---|---|---|---|---|`,
        `| ${args.dialect} | ${args.cells} + closed port + hanging listener | ${args.cellTimeout} | ${args.cellTimeout + 1} | ${partial.map(fmt).join(', ')} | 3 |`,
        '',
      ].join('\n'),
    );
  } finally {
    for (const s of sockets) s.destroy();
    hanging.close();
    if (args.dialect === 'mysql') {
      const dbs = createDatabaseContext({ apiDatabaseConnection: deployment.apiUrl, cwd: deployment.dir });
      try {
        const { db } = await dbs.api();
        for (const name of extraDatabases) await sql.raw(`DROP DATABASE IF EXISTS ${quoteMysql(name)}`).execute(db);
      } catch {
        // The API database may not exist yet; dropDeployment reports what it cannot drop.
      } finally {
        await dbs.close();
      }
    }
    await dropDeployment(deployment, args.dialect);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
