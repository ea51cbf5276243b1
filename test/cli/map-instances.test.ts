import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { mapInstances } from '../../src/services/map-instances.service';
import { CELLCTL_RULES } from '../../src/services/rules';
import { insertInstance, insertInstances } from '../support/cell-fixtures';
import { describeEachDialect } from '../support/dialect-matrix';
import { runCellctlProcess, runCli } from '../support/cli-runner';

describeEachDialect('map-instances and instance verify', (env) => {
  let conf: string;
  let dbs: DatabaseContext;
  let cell1: string;
  const cli = (...argv: string[]) => runCli(['--config-file', conf, ...argv], { cwd: env.dir });

  beforeEach(async () => {
    const api = env.newUrl('api');
    const local = env.newUrl('nova');
    conf = join(env.dir, `nova-${Math.random().toString(36).slice(2)}.conf`);
    writeFileSync(conf, `[DEFAULT]\ntransport_url = rabbit://nova:pw@mq/\n[api_database]\nconnection = ${api}\n[database]\nconnection = ${local}\n`);
    expect((await cli('-q', 'api-db', 'sync')).code).toBe(0);
    expect((await cli('-q', 'simple-cell-setup')).code).toBe(0);
    dbs = createDatabaseContext({ apiDatabaseConnection: api, databaseConnection: local, cwd: env.dir });
    cell1 = (await (await dbs.api()).db.selectFrom('cell_mappings').select('uuid').where('name', '=', 'cell1').executeTakeFirstOrThrow()).uuid;
  });
  afterEach(() => dbs.close());

  const cellDb = async () => (await dbs.localCell()).db;
  const mappings = async () =>
    (await dbs.api()).db.selectFrom('instance_mappings').selectAll().where('project_id', '!=', 'INSTANCE_MIGRATION_MARKER').orderBy('instance_uuid').execute();
  const rowOf = (stdout: string) => JSON.parse(stdout)[0] as { cell: string; found: number; mapped: number; remaining: number };

  it('maps every instance but hidden ones, soft-deleted included, with queued_for_delete as Nova decides it', async () => {
    const db = await cellDb();
    const live = await insertInstance(db, { project_id: 'p1', user_id: 'u1' });
    const deleted = await insertInstance(db, { deleted: true });
    const softDeleted = await insertInstance(db, { vm_state: 'soft-delete' });
    const nullHidden = await insertInstance(db, { hidden: null });
    await insertInstance(db, { hidden: 1 });
    const result = await cli('-f', 'json', 'map-instances', '--cell', 'cell1');
    expect(result.code).toBe(0);
    expect(rowOf(result.stdout)).toMatchObject({ cell: 'cell1', found: 4, mapped: 4, remaining: 0 });
    const rows = await mappings();
    const byUuid = new Map(rows.map((r) => [r.instance_uuid, r]));
    expect(rows).toHaveLength(4);
    expect(byUuid.get(live)).toMatchObject({ project_id: 'p1', user_id: 'u1', queued_for_delete: 0 });
    expect(byUuid.get(deleted)?.queued_for_delete).toBe(1);
    expect(byUuid.get(softDeleted)?.queued_for_delete).toBe(1);
    expect(byUuid.get(nullHidden)?.queued_for_delete).toBe(0);
    const cellId = (await (await dbs.api()).db.selectFrom('cell_mappings').select('id').where('uuid', '=', cell1).executeTakeFirstOrThrow()).id;
    expect(new Set(rows.map((r) => r.cell_id))).toEqual(new Set([cellId]));
    expect(result.stderr).toMatch(/mapped 4 instance\(s\); 0 left unmapped/);
  });

  it("writes queued_for_delete 0 for deleted = 1 on an instance whose id is not 1 (Nova's predicate is deleted = id)", async () => {
    const db = await cellDb();
    await insertInstance(db);
    const oddlyDeleted = await insertInstance(db, { id: 7 });
    await db.updateTable('instances').set({ deleted: 1 }).where('uuid', '=', oddlyDeleted).execute();
    expect((await cli('-q', 'map-instances', '--cell', 'cell1')).code).toBe(0);
    const row = (await mappings()).find((r) => r.instance_uuid === oddlyDeleted);
    expect(row?.queued_for_delete).toBe(0);
  });

  it('loops with --max-count until it exits 0, as upgrade scripts do', async () => {
    await insertInstances(await cellDb(), 25, { deletedEvery: 5 });
    const codes: number[] = [];
    const mappedPerRun: number[] = [];
    for (let run = 0; run < 6; run += 1) {
      const result = await cli('-f', 'json', 'map-instances', '--cell', cell1, '--max-count', '10');
      codes.push(result.code);
      mappedPerRun.push(rowOf(result.stdout).mapped);
      if (result.code === 0) break;
    }
    expect(codes).toEqual([1, 1, 0]);
    expect(mappedPerRun).toEqual([10, 10, 5]);
    expect(await mappings()).toHaveLength(25);
  });

  it('keeps --max-count a total over the cells and counts what remains exactly, chunk after chunk', async () => {
    await insertInstances(await cellDb(), 23);
    const result = await mapInstances(dbs, { cell: 'cell1', maxCount: 9, chunkSize: 4, rules: CELLCTL_RULES });
    expect(result.cells.map((c) => (c.status === 'ok' ? [c.value.found, c.value.mapped, c.value.remaining] : c.status))).toEqual([[23, 9, 14]]);
    const rest = await mapInstances(dbs, { cell: 'cell1', chunkSize: 4, rules: CELLCTL_RULES });
    expect(rest.cells.map((c) => (c.status === 'ok' ? [c.value.found, c.value.mapped, c.value.remaining] : c.status))).toEqual([[14, 14, 0]]);
  });

  /** The last progress line of a run's stderr: its label, counts and what follows them. */
  const lastProgress = (stderr: string) => {
    const lines = [...stderr.matchAll(/^([a-z ]+): (\d+)\/(\d+) \((\d+)%\).*$/gm)];
    const last = lines[lines.length - 1];
    return { label: last[1], done: Number(last[2]), total: Number(last[3]), percent: Number(last[4]), line: last[0] };
  };

  it('counts the same total for a cell in both walks (hidden instances included), and ends at 100%', async () => {
    const db = await cellDb();
    await insertInstances(db, 20, { hiddenEvery: 10 });
    // A first run: on MySQL the walk in primary-key order, with no mapping to compare against.
    const first = await cli('map-instances', '--cell', 'cell1');
    expect(first.code).toBe(0);
    expect(await mappings()).toHaveLength(18);
    expect(lastProgress(first.stderr)).toMatchObject({ label: 'mapping', done: 20, total: 20, percent: 100 });
    // A re-run: the anti-join in UUID order.
    await (await dbs.api()).db.deleteFrom('instance_mappings').where('instance_uuid', 'in', (await mappings()).slice(0, 5).map((m) => m.instance_uuid)).execute();
    const again = await cli('map-instances', '--cell', 'cell1', '--dry-run');
    expect(again.code).toBe(1);
    expect(lastProgress(again.stderr)).toMatchObject({ label: 'counting', done: 20, total: 20, percent: 100 });
    const rerun = await cli('map-instances', '--cell', 'cell1');
    expect(rerun.code).toBe(0);
    expect(lastProgress(rerun.stderr)).toMatchObject({ label: 'mapping', done: 20, total: 20, percent: 100 });
    expect(await mappings()).toHaveLength(18);
  });

  it('--max-count below the rows to scan: the percentage is of the budget, then of the counting of what is left, labelled', async () => {
    await insertInstances(await cellDb(), 30);
    const limited = await cli('map-instances', '--cell', 'cell1', '--max-count', '10');
    expect(limited.code).toBe(1);
    expect(await mappings()).toHaveLength(10);
    // The whole cell is one chunk here: the budget is spent at once, and what follows counts what is left.
    expect(lastProgress(limited.stderr)).toMatchObject({ label: 'counting the instances left unmapped', done: 30, total: 30 });
    expect(lastProgress(limited.stderr).line).toMatch(/, 10 of 10 mapped \(--max-count\)$/);
    const ample = await cli('map-instances', '--cell', 'cell1', '--max-count', '100');
    expect(ample.code).toBe(0);
    expect(lastProgress(ample.stderr)).toMatchObject({ label: 'mapping', done: 30, total: 30 });
  });

  it('draws a spinner only on a terminal that is not dumb: TERM=dumb and a pipe get plain lines, no control codes', async () => {
    await insertInstances(await cellDb(), 5);
    const CONTROL_CODES = /[\x1b\r\x9b]/;
    // A spinner's frames (braille) and its end marks.
    const SPINNER = /[\u2800-\u28ff\u2714\u2716]/;
    const dumb = await runCli(['--config-file', conf, 'map-instances', '--cell', 'cell1', '--dry-run'], { cwd: env.dir, stderrTerminal: true, env: { TERM: 'dumb' } });
    expect(dumb.code).toBe(1);
    expect(dumb.stderr).not.toMatch(CONTROL_CODES);
    expect(dumb.stderr).not.toMatch(SPINNER);
    expect(dumb.stderr).toMatch(/^counting: 5\/5 \(100%\).*, 5 unmapped\n5 unmapped instance\(s\); dry run, nothing written\n$/);
    const piped = await runCli(['--config-file', conf, 'map-instances', '--cell', 'cell1', '--dry-run'], { cwd: env.dir, env: { TERM: 'xterm' } });
    expect(piped.stderr).not.toMatch(CONTROL_CODES);
    expect(piped.stderr).not.toMatch(SPINNER);
    expect(piped.stderr.split('\n').slice(-2)).toEqual(['5 unmapped instance(s); dry run, nothing written', '']);
    const terminal = await runCli(['--config-file', conf, 'map-instances', '--cell', 'cell1', '--dry-run'], { cwd: env.dir, stderrTerminal: true, env: { TERM: 'xterm' } });
    expect(terminal.code).toBe(1);
    expect(terminal.stderr).toMatch(SPINNER);
    expect(terminal.stderr).toContain('5 unmapped instance(s); dry run, nothing written');
  });

  it('refuses a bad --max-count and a missing or doubled cell selection: 127', async () => {
    for (const bad of ['0', '-3', 'ten', '1.5']) expect((await cli('map-instances', '--cell', 'cell1', '--max-count', bad)).code).toBe(127);
    expect((await cli('map-instances')).code).toBe(127);
    expect((await cli('map-instances', '--cell', 'cell1', '--all-cells')).code).toBe(127);
    expect((await cli('map-instances', '--cell', 'nope')).code).toBe(127);
  });

  it('counts with --dry-run and writes nothing: exit 1 while unmapped instances exist', async () => {
    await insertInstances(await cellDb(), 12, { hiddenEvery: 4 });
    const dry = await cli('-f', 'json', 'map-instances', '--all-cells', '--dry-run');
    expect(dry.code).toBe(1);
    expect(JSON.parse(dry.stdout).map((r: { cell: string; found: number; remaining: number }) => [r.cell, r.found, r.remaining])).toEqual([
      ['cell0', 0, 0],
      ['cell1', 9, 9],
    ]);
    expect(await mappings()).toHaveLength(0);
    await cli('-q', 'map-instances', '--all-cells');
    expect((await cli('map-instances', '--all-cells', '--dry-run')).code).toBe(0);
  });

  it("reports a resume marker Nova's map_instances left, is not blocked by it, and removes it with --reset", async () => {
    await insertInstances(await cellDb(), 3);
    const api = (await dbs.api()).db;
    const marker = { instance_uuid: 'a2c1d2e3 0000 4000 8000 000000000001', cell_id: null, project_id: 'INSTANCE_MIGRATION_MARKER', user_id: 'INSTANCE_MIGRATION_MARKER', queued_for_delete: 0 };
    await api.insertInto('instance_mappings').values(marker).execute();
    const first = await cli('map-instances', '--cell', 'cell1');
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/found 1 resume marker row\(s\) left by Nova's map_instances.*--reset removes them/);
    expect(await mappings()).toHaveLength(3);
    const reset = await cli('map-instances', '--cell', 'cell1', '--reset');
    expect(reset.stderr).toMatch(/removed 1 resume marker row/);
    expect(await api.selectFrom('instance_mappings').selectAll().where('project_id', '=', 'INSTANCE_MIGRATION_MARKER').execute()).toEqual([]);
  });

  it('lets two concurrent runs map everything exactly once, both exiting 0', async () => {
    await insertInstances(await cellDb(), 20_000, { deletedEvery: 7 });
    const runs = await Promise.all([1, 2].map(() => runCellctlProcess(['--config-file', conf, '-q', '-f', 'json', 'map-instances', '--cell', 'cell1'], { cwd: env.dir })));
    expect(runs.map((r) => [r.code, r.stderr])).toEqual([[0, ""], [0, ""]]);
    expect(runs.reduce((n, r) => n + rowOf(r.stdout).mapped, 0)).toBe(20_000);
    const rows = await mappings();
    expect(rows).toHaveLength(20_000);
    expect(new Set(rows.map((r) => r.instance_uuid)).size).toBe(20_000);
  });

  it('finishes the work of a run killed with SIGKILL: nothing lost, nothing doubled', async () => {
    const total = 60_000;
    await insertInstances(await cellDb(), total);
    const child = spawn(process.execPath, [join(__dirname, '..', '..', 'bin', 'cellctl'), '--config-file', conf, '-q', 'map-instances', '--cell', 'cell1'], { cwd: env.dir, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const api = (await dbs.api()).db;
    const count = async () => Number((await api.selectFrom('instance_mappings').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    while ((await count()) === 0) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await exited;
    const partial = await count();
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(total);
    const again = await cli('-f', 'json', 'map-instances', '--cell', 'cell1');
    expect(again.code).toBe(0);
    expect(rowOf(again.stdout)).toMatchObject({ found: total - partial, mapped: total - partial, remaining: 0 });
    const rows = await mappings();
    expect(rows).toHaveLength(total);
    expect(new Set(rows.map((r) => r.instance_uuid)).size).toBe(total);
  });

  it('shows each statement with --debug cut to a readable length', async () => {
    await insertInstances(await cellDb(), 2500);
    const result = await cli('--debug', 'map-instances', '--cell', 'cell1');
    expect(result.code).toBe(0);
    const statements = result.stderr.split('\n').filter((line) => line.startsWith('cellctl: debug: sql'));
    expect(statements.length).toBeGreaterThan(3);
    expect(statements.filter((line) => / more characters\)$/.test(line)).length).toBeGreaterThan(0);
    expect(Math.max(...statements.map((line) => line.length))).toBeLessThan(1100);
  });

  it('reports a cell whose database does not exist with --all-cells and exits 255 after mapping the others', async () => {
    await insertInstances(await cellDb(), 5);
    await cli('-q', 'cell', 'create', '--name', 'gone', '--database-connection', `sqlite:///${join(env.dir, 'no', 'such', 'x.sqlite')}`, '--transport-url', 'rabbit://g@mqg/');
    const result = await cli('-f', 'json', 'map-instances', '--all-cells');
    expect(result.code).toBe(255);
    expect(result.stderr).toMatch(/cell gone \(.*\): cell database \S+ does not exist yet, nor its directory: create the directory, then run `cellctl db sync --cell gone`/);
    expect(JSON.parse(result.stdout).find((r: { cell: string }) => r.cell === 'cell1')).toMatchObject({ mapped: 5 });
    expect(await mappings()).toHaveLength(5);
  });

  it("instance verify: Nova's five outcomes as exit codes, the message on stdout, nothing with --quiet", async () => {
    const db = await cellDb();
    const alive = await insertInstance(db);
    const deleted = await insertInstance(db);
    const archived = await insertInstance(db);
    await cli('-q', 'map-instances', '--cell', 'cell1');
    await db.updateTable('instances').set((eb) => ({ deleted: eb.ref('id') })).where('uuid', '=', deleted).execute();
    await db.deleteFrom('instances').where('uuid', '=', archived).execute();
    const building = '33333333-3333-4333-8333-333333333333';
    await (await dbs.api()).db.insertInto('instance_mappings').values({ instance_uuid: building, cell_id: null, project_id: 'p', user_id: 'u', queued_for_delete: 0 }).execute();

    const verify = (uuid: string, ...flags: string[]) => cli(...flags, 'instance', 'verify', uuid);
    const ok = await verify(alive);
    expect(ok).toMatchObject({ code: 0, stdout: `Instance ${alive} is in cell: cell1 (${cell1})\n` });
    expect((await verify('44444444-4444-4444-8444-444444444444')).code).toBe(1);
    expect((await verify(building)).code).toBe(2);
    const gone = await verify(deleted);
    expect(gone.code).toBe(3);
    expect(gone.stdout).toMatch(/has been deleted/);
    expect((await verify(archived)).code).toBe(4);
    expect(await verify(archived, '--quiet')).toMatchObject({ code: 4, stdout: '' });
    expect(JSON.parse((await verify(alive, '-f', 'json')).stdout)).toEqual({ uuid: alive, verdict: 'mapped', cell: 'cell1', cell_uuid: cell1 });
    // -c alone picks fields as it does everywhere: the table format's Field | Value rows, not the message.
    const picked = await verify(alive, '-c', 'verdict', '-c', 'cell');
    expect(picked.code).toBe(0);
    expect(picked.stdout).toMatch(/^\+-+\+-+\+\n\| Field +\| Value +\|\n/);
    expect(picked.stdout).toMatch(/\| Verdict +\| mapped +\|\n\| Cell +\| cell1 +\|\n/);
    expect(picked.stdout).not.toContain('UUID');
    expect((await verify(alive, '-c', 'verdict', '-f', 'value')).stdout).toBe('mapped\n');
    expect((await verify('not-a-uuid')).code).toBe(127);
  });
});
