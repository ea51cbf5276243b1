/**
 * `cellctl instance list` and `instance show` across cells: Nova's order (build requests first,
 * then created_at, id, uuid), duplicates removed, hidden rows never, deleted ones only with
 * --deleted, paging with --marker across cells; with Nova installed, the same pages as Nova's own
 * compute API get_all on the same databases; and a partial listing with one cell refusing
 * connections and one that accepts and never answers: exit 3, the cells named, UNKNOWN rows.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { ApiDatabase } from '../../src/db/api/api-tables.generated';
import { insertPendingInstances } from '../../src/db/api/build-request.repository';
import { inTransaction } from '../../src/db/unit-of-work';
import type { CellDatabase } from '../../src/db/cell/cell-tables.generated';
import { CELL0_UUID } from '../../src/domain/constants';
import { buildRequestInstanceJson, blockDeviceListJson, requestSpecJson, tagListJson } from '../../src/domain/nova-primitives';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { insertCellMapping, insertInstance } from '../support/cell-fixtures';
import { runCli } from '../support/cli-runner';
import { STUCK_FLAVOR } from '../support/stuck-fixtures';
import { describeEachDialect } from '../support/dialect-matrix';
import { describeWithNova } from '../support/nova-oracle';
import { NOVA_PYTHON } from '../support/test-environment';

const IMAGE = '22222222-2222-4222-8222-222222222222';

interface Row {
  uuid: string;
  name: string | null;
  status: string;
  project_id: string | null;
  cell: string | null;
  cell_status: string | null;
  created_at: string | null;
  deleted: boolean;
  source: string;
}


/** A port nothing listens on (taken, then freed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describeEachDialect('instance list and show across cells', (env) => {
  let conf: string;
  let dbs: DatabaseContext;
  let api: Kysely<ApiDatabase>;
  let cell1: Kysely<CellDatabase>;
  let cell2: Kysely<CellDatabase>;
  const urls = { api: '', cell0: '', cell1: '', cell2: '' };
  const cli = (...argv: string[]) => runCli(['--config-file', conf, ...argv], { cwd: env.dir });
  const list = async (...argv: string[]) => {
    const result = await cli('-f', 'json', 'instance', 'list', ...argv);
    return { ...result, rows: result.stdout ? (JSON.parse(result.stdout) as Row[]) : [] };
  };
  /** Every page of a listing with `--limit size`, following the marker the previous page ends with. */
  const allPages = async (size: number, ...argv: string[]) => {
    const pages: string[][] = [];
    let marker: string | undefined;
    for (let guard = 0; guard < 100; guard++) {
      const page = await list('--limit', String(size), ...(marker ? ['--marker', marker] : []), ...argv);
      expect(page.code).toBe(0);
      pages.push(page.rows.map((r) => r.uuid));
      const next = /--marker ([0-9a-f-]{36})/.exec(page.stderr)?.[1];
      if (!next) return pages;
      expect(next).toBe(page.rows[page.rows.length - 1]!.uuid);
      marker = next;
    }
    throw new Error(`paging did not end: ${JSON.stringify(pages)}`);
  };
  const named: Record<string, string> = {};

  beforeAll(async () => {
    urls.api = env.newUrl('api');
    urls.cell0 = env.newUrl('cell0');
    urls.cell1 = env.newUrl('cell1');
    urls.cell2 = env.newUrl('cell2');
    conf = join(env.dir, 'list.conf');
    writeFileSync(conf, `[DEFAULT]\ntransport_url = rabbit://nova:pw@127.0.0.1:5672/\nstate_path = ${env.dir}\n[api_database]\nconnection = ${urls.api}\n[database]\nconnection = ${urls.cell1}\n`);
    for (const argv of [
      ['api-db', 'sync'],
      ['cell0', 'setup', '--database-connection', urls.cell0],
      ['cell', 'create', '--name', 'cell1'],
      ['cell', 'create', '--name', 'cell2', '--database-connection', urls.cell2, '--transport-url', 'rabbit://nova:pw@127.0.0.1:5672/cell2'],
      ['db', 'sync', '--all-cells'],
      ['flavor', 'create', 'tiny', '--vcpus', '1', '--ram', '512', '--disk', '1', '--id', 'f1'],
    ]) {
      expect([argv.join(' '), (await cli('-q', ...argv)).code]).toEqual([argv.join(' '), 0]);
    }
    dbs = createDatabaseContext({ apiDatabaseConnection: urls.api, cwd: env.dir });
    api = (await dbs.api()).db;
    cell1 = (await dbs.cellDatabase({ uuid: 'c1', name: 'cell1', databaseConnection: urls.cell1 })).db;
    cell2 = (await dbs.cellDatabase({ uuid: 'c2', name: 'cell2', databaseConnection: urls.cell2 })).db;

    // Two cells whose rows interleave in time, with ties on created_at across cells (then id, then uuid decide).
    // As SQLAlchemy writes a DateTime: with microseconds on SQLite (Nova's own rows look so), none on MySQL.
    const at = (minute: number) => `2026-01-01 10:${String(minute).padStart(2, '0')}:00${env.dialect === 'sqlite' ? '.000000' : ''}`;
    const add = async (db: Kysely<CellDatabase>, name: string, minute: number, extra: Record<string, unknown> = {}) => {
      named[name] = await insertInstance(db, { display_name: name, project_id: name.startsWith('p2') ? 'p2' : 'p1', created_at: at(minute), updated_at: at(60 - minute), ...extra });
    };
    await add(cell1, 'a', 1);
    await add(cell2, 'b', 2);
    await add(cell1, 'c', 3);
    await add(cell2, 'd', 3);
    await add(cell2, 'p2-e', 4);
    await add(cell1, 'f', 5, { vm_state: 'stopped' });
    await add(cell1, 'g', 6, { task_state: 'rebooting' });
    await add(cell2, 'h', 7, { vm_state: 'error' });
    await add(cell1, 'hidden', 8, { hidden: 1 });
    await add(cell1, 'deleted', 9, { deleted: true, vm_state: 'deleted' });
    await add(cell2, 'soft', 10, { vm_state: 'soft-delete' });
    // A copy of b left in cell1 by a cross-cell move: listed once.
    await insertInstance(cell1, { uuid: named.b, display_name: 'b-copy', project_id: 'p1', created_at: at(2), updated_at: at(58) });
    expect((await cli('-q', 'map-instances', '--all-cells')).code).toBe(0);
    // An instance no mapping knows (Nova's burial without a mapping leaves such ones): listed, and a marker like any other.
    await add(cell2, 'unmapped', 11);
    // One instance buried in cell0 (no compute host), created after all of them.
    const boot = await cli('-q', 'instance', 'boot', '--name', 'buried', '--flavor', 'f1', '--image', IMAGE, '--project', 'p1', '--user', 'u');
    expect(boot.code).toBe(1);
    named.buried = boot.stdout.trim();
    // Two build requests (instances the conductor has not handled yet), as Nova's API writes them.
    for (const [name, minute] of [['pending-1', 20], ['pending-2', 21]] as const) {
      const uuid = randomUUID();
      named[name] = uuid;
      const instance = { uuid, userId: 'u', projectId: 'p1', imageRef: IMAGE, hostname: name, displayName: name, description: null, launchIndex: 0, reservationId: 'r-1', availabilityZone: null, flavor: STUCK_FLAVOR, metadata: {}, systemMetadata: {} };
      await inTransaction(await dbs.api(), (tx) =>
        insertPendingInstances(
          tx,
          [
            {
              instanceUuid: uuid,
              projectId: 'p1',
              userId: 'u',
              spec: requestSpecJson({ instanceUuid: uuid, projectId: 'p1', userId: 'u', imageRef: IMAGE, flavor: STUCK_FLAVOR, availabilityZone: null, numInstances: 1 }),
              instance: buildRequestInstanceJson(instance),
              blockDeviceMappings: blockDeviceListJson([]),
              tags: tagListJson(uuid, []),
            },
          ],
          new Date(`${at(minute).replace(' ', 'T').slice(0, 19)}Z`),
        ),
      );
    }
  });
  afterAll(() => dbs?.close());

  const order = (...names: string[]) => names.map((n) => named[n]);

  it("lists build requests first, then every cell's live rows newest first (created_at, then uuid), each uuid once, hidden and deleted rows never", async () => {
    const all = await list();
    expect(all.code).toBe(0);
    expect(all.stderr).toBe('');
    const tie = [named.c!, named.d!];
    // c and d share created_at: the uuid decides, ascending.
    const cd = tie.sort();
    expect(all.rows.map((r) => r.uuid)).toEqual([...order('pending-2', 'pending-1', 'buried', 'unmapped', 'h', 'g', 'f', 'p2-e'), ...cd, ...order('b', 'a')]);
    const byName = new Map(all.rows.map((r) => [r.name, r]));
    expect(byName.get('pending-1')).toMatchObject({ status: 'BUILD', cell: null, cell_status: null, source: 'build-request', project_id: 'p1' });
    expect(byName.get('buried')).toMatchObject({ status: 'ERROR', cell: 'cell0', cell_status: 'ok', source: 'cell' });
    expect(byName.get('f')).toMatchObject({ status: 'SHUTOFF', cell: 'cell1' });
    expect(byName.get('g')).toMatchObject({ status: 'REBOOT' });
    // b and its copy share created_at; the copy has the higher id in its cell, so it comes first and wins.
    expect(byName.get('b-copy')).toMatchObject({ uuid: named.b, cell: 'cell1' });
  });

  it('filters by project and by cell; --deleted lists only deleted and soft-deleted rows', async () => {
    expect((await list('--project', 'p2')).rows.map((r) => r.name)).toEqual(['p2-e']);
    const inCell1 = await list('--cell', 'cell1');
    expect(inCell1.rows.map((r) => r.name)).toEqual(['g', 'f', 'c', 'b-copy', 'a']);
    const deleted = await list('--deleted');
    expect(deleted.code).toBe(0);
    expect(deleted.rows.map((r) => [r.name, r.status, r.deleted])).toEqual([
      ['soft', 'SOFT_DELETED', false],
      ['deleted', 'DELETED', true],
    ]);
  });

  it('pages with --limit and --marker across build requests and cells: the pages join into the whole listing, each instance once', async () => {
    const whole = (await list()).rows.map((r) => r.uuid);
    for (const size of [1, 3, 4]) {
      const pages = await allPages(size);
      expect(pages.flat()).toEqual(whole);
      expect(pages.slice(0, -1).every((p) => p.length === size)).toBe(true);
    }
    const ascending = (await list('--sort-key', 'updated_at', '--sort-dir', 'asc')).rows.map((r) => r.uuid);
    expect((await allPages(2, '--sort-key', 'updated_at', '--sort-dir', 'asc')).flat()).toEqual(ascending);
    // updated_at runs the other way round from created_at for the cells' rows.
    expect(ascending.slice(2, 6)).toEqual(order('unmapped', 'h', 'g', 'f'));
  });

  it('shows one instance from its cell, from cell0 with its fault, or from its build request; refuses what it cannot find', async () => {
    const show = async (uuid: string) => {
      const r = await cli('-f', 'json', 'instance', 'show', uuid);
      return { ...r, doc: r.stdout ? (JSON.parse(r.stdout) as Record<string, unknown>) : {} };
    };
    expect((await show(named.f!)).doc).toMatchObject({ uuid: named.f, name: 'f', status: 'SHUTOFF', cell: 'cell1', cell_status: 'ok', source: 'cell', queued_for_delete: false });
    const buried = await show(named.buried!);
    expect(buried.code).toBe(0);
    expect(buried.doc).toMatchObject({ cell: 'cell0', cell_uuid: CELL0_UUID, status: 'ERROR', fault_code: 500, flavor: 'tiny', image: IMAGE });
    expect(String(buried.doc.fault)).toContain('No valid host');
    expect((await show(named['pending-1']!)).doc).toMatchObject({ source: 'build-request', status: 'BUILD', cell: null, flavor: STUCK_FLAVOR.name, image: IMAGE });
    expect((await show(named.unmapped!)).doc).toMatchObject({ name: 'unmapped', cell: 'cell2', queued_for_delete: null });
    // A burial cut short: the mapping already on cell0, no row there yet, the build request left: still that build request.
    const cell0Id = (await api.selectFrom('cell_mappings').select('id').where('uuid', '=', CELL0_UUID).executeTakeFirstOrThrow()).id;
    await api.updateTable('instance_mappings').set({ cell_id: cell0Id }).where('instance_uuid', '=', named['pending-1']!).execute();
    try {
      expect((await show(named['pending-1']!)).doc).toMatchObject({ source: 'build-request', status: 'BUILD' });
    } finally {
      await api.updateTable('instance_mappings').set({ cell_id: null }).where('instance_uuid', '=', named['pending-1']!).execute();
    }
    const unknown = await cli('instance', 'show', randomUUID());
    expect([unknown.code, unknown.stdout, unknown.stderr.split('\n').length]).toEqual([1, '', 2]);
    expect(unknown.stderr).toMatch(/^cellctl: error: instance .* was not found/);
    const malformed = await cli('instance', 'show', 'nope');
    expect(malformed.code).toBe(127);
  });

  it('refuses a malformed or unknown marker, --cell with --all-cells and an unknown sort key (127), changing nothing', async () => {
    // The last: a build request of another project than the one listed.
    for (const argv of [['--marker', 'nope'], ['--marker', randomUUID()], ['--cell', 'cell1', '--all-cells'], ['--sort-key', 'display_name'], ['--limit', '0'], ['--project', 'p2', '--marker', named['pending-1']!]]) {
      const r = await list(...argv);
      expect([argv.join(' '), r.code, r.stdout, r.stderr.trim().split('\n').length]).toEqual([argv.join(' '), 127, '', 1]);
    }
  });

  it('reads a cell again when its first batch runs out before the page is full, and pages through hundreds the same way', async () => {
    // 300 instances in cell1 newer than everything else, 40 in cell2 interleaved with them: cell1's
    // first batch (100) runs out long before a page of 250 is full.
    const rows = (minute: number, i: number) => ({ display_name: `bulk-${minute}-${i}`, project_id: 'p1', created_at: `2026-03-01 ${String(10 + Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:${String(i % 3).padStart(2, '0')}` });
    for (let i = 0; i < 300; i++) await insertInstance(cell1, rows(i % 100, i));
    for (let i = 0; i < 40; i++) await insertInstance(cell2, rows((i * 7) % 100, i));
    const whole = (await list('--limit', '1000')).rows.map((r) => r.uuid);
    const bulk = (await list('--limit', '250')).rows.map((r) => r.uuid);
    expect(bulk).toEqual(whole.slice(0, 250));
    expect((await allPages(120)).flat()).toEqual(whole);
    // The order, computed here from the rows themselves: build requests, then created_at desc, uuid asc.
    const live = async (db: Kysely<CellDatabase>) =>
      db.selectFrom('instances').select(['uuid', 'created_at']).where('deleted', '=', 0).where((eb) => eb.or([eb('hidden', '=', 0), eb('hidden', 'is', null)])).where('vm_state', '!=', 'soft-delete').execute();
    const cell0 = (await dbs.cellDatabase({ uuid: CELL0_UUID, name: 'cell0', databaseConnection: urls.cell0 })).db;
    const all = [...(await live(cell0)), ...(await live(cell1)), ...(await live(cell2))];
    const instant = (t: string | null) => (t ?? '').padEnd(26, '.000000').slice(0, 26);
    const expected = [...new Map(all.sort((a, b) => (instant(a.created_at) === instant(b.created_at) ? (a.uuid < b.uuid ? -1 : 1) : instant(a.created_at) < instant(b.created_at) ? 1 : -1)).map((r) => [r.uuid, r.uuid])).keys()];
    expect(whole.slice(2)).toEqual(expected);
  });

  describeWithNova()("against Nova's own compute API get_all", () => {
    const novaList = (query: Record<string, unknown>): string[] => {
      const r = spawnSync(NOVA_PYTHON, [join(__dirname, '..', 'support', 'nova-list.py'), conf, JSON.stringify(query)], { encoding: 'utf8', timeout: 120_000 });
      if (r.status !== 0) throw new Error(`nova-list.py exited ${r.status}: ${r.stderr.slice(-2000)}`);
      return JSON.parse(r.stdout) as string[];
    };

    it('gives the same pages in the same order: whole, by project, deleted, ascending, and after markers', async () => {
      // NOTE: Nova's SQLite reader sees only what is checkpointed into the database files: close ours first.
      await dbs.close();
      dbs = createDatabaseContext({ apiDatabaseConnection: urls.api, cwd: env.dir });
      api = (await dbs.api()).db;
      const cases: Array<{ query: Record<string, unknown>; argv: string[] }> = [
        { query: { limit: 1000 }, argv: [] },
        { query: { limit: 1000, project: 'p2' }, argv: ['--project', 'p2'] },
        { query: { limit: 1000, deleted: true }, argv: ['--deleted'] },
        // NOTE: not by updated_at: Nova's API fails (TypeError) sorting build requests whose updated_at is NULL, as every new one's is.
        { query: { limit: 1000, sort_key: 'created_at', sort_dir: 'asc' }, argv: ['--sort-dir', 'asc'] },
        { query: { limit: 3, marker: named['pending-1'] }, argv: ['--limit', '3', '--marker', named['pending-1']!] },
        { query: { limit: 3, marker: named.g }, argv: ['--limit', '3', '--marker', named.g!] },
        { query: { limit: 2, marker: named.f }, argv: ['--limit', '2', '--marker', named.f!] },
        // c and d tie on created_at in two cells: uuid decides, for Nova as for cellctl.
        { query: { limit: 2, marker: named.c }, argv: ['--limit', '2', '--marker', named.c!] },
        { query: { limit: 2, marker: named.d }, argv: ['--limit', '2', '--marker', named.d!] },
      ];
      for (const { query, argv } of cases) {
        const ours = (await list(...argv)).rows.map((r) => r.uuid);
        const theirs = novaList(query);
        // Nova cuts the merged records at the limit and only then drops duplicates: a page holding
        // both copies of b (in cell1 and cell2) comes out one short there, and full here.
        const short = theirs.length === ours.length - 1 && ours.slice(0, -1).includes(named.b!) && theirs.includes(named.b!);
        expect([argv.join(' '), short ? ours.slice(0, -1) : ours]).toEqual([argv.join(' '), theirs]);
      }
    });
  });

  describe('with one cell refusing connections and one that accepts and never answers', () => {
    let hanging: Server;
    const sockets: Socket[] = [];
    const downUuids: string[] = [];
    const hangUuids: string[] = [];
    let healthy: Row[] = [];
    // The hanging cell costs this much per call; the healthy ones must answer within it on a busy CI machine too.
    const DEADLINE = '3';

    beforeAll(async () => {
      healthy = (await list()).rows;
      hanging = createServer((socket) => {
        sockets.push(socket);
      });
      await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
      const hangPort = (hanging.address() as { port: number }).port;
      const down = await insertCellMapping(api, { name: 'down', databaseConnection: `mysql+pymysql://nova:secret-pw@127.0.0.1:${await closedPort()}/nova` });
      const hang = await insertCellMapping(api, { name: 'hang', databaseConnection: `mysql+pymysql://nova:secret-pw@127.0.0.1:${hangPort}/nova` });
      const map = async (cellId: number, into: string[], count: number, queued: number) => {
        for (let i = 0; i < count; i++) {
          const uuid = randomUUID();
          into.push(uuid);
          await api.insertInto('instance_mappings').values({ instance_uuid: uuid, cell_id: cellId, project_id: 'p1', user_id: 'u', queued_for_delete: queued, created_at: '2026-02-01 00:00:00' }).execute();
        }
      };
      await map(down.id, downUuids, 2, 0);
      await map(hang.id, hangUuids, 1, 0);
      // Queued for delete: not an UNKNOWN row of a live listing (one of a --deleted listing).
      await map(down.id, [], 1, 1);
    });
    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    });

    it('lists every other cell, names both on stderr, shows their mapped instances as UNKNOWN rows and exits 3', async () => {
      const r = await list('--cell-timeout', DEADLINE);
      expect(r.code).toBe(3);
      const unknown = r.rows.filter((row) => row.status === 'UNKNOWN');
      expect(unknown.map((row) => row.uuid).sort()).toEqual([...downUuids, ...hangUuids].sort());
      expect(r.rows.slice(0, 3).every((row) => row.status === 'UNKNOWN')).toBe(true);
      expect(unknown.map((row) => [row.cell, row.cell_status, row.project_id, row.created_at, row.source]).sort()).toEqual(
        [
          ['down', 'failed', 'p1', '2026-02-01 00:00:00', 'unknown'],
          ['down', 'failed', 'p1', '2026-02-01 00:00:00', 'unknown'],
          ['hang', 'timed-out', 'p1', '2026-02-01 00:00:00', 'unknown'],
        ].sort(),
      );
      expect(r.rows.filter((row) => row.status !== 'UNKNOWN')).toEqual(healthy);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines.find((l) => l.includes("'down'") || l.includes('cell down'))).toMatch(/failed \(2 of its instances listed as UNKNOWN\)/);
      expect(lines.find((l) => l.includes("'hang'") || l.includes('cell hang'))).toMatch(/timed out \(1 of its instances listed as UNKNOWN\)/);
      expect(r.stderr).not.toContain('secret-pw');
      // The same in every format: value rows carry the status and the cell's.
      const value = await cli('-f', 'value', '-c', 'uuid', '-c', 'status', '-c', 'cell_status', 'instance', 'list', '--cell-timeout', DEADLINE);
      expect(value.code).toBe(3);
      expect(value.stdout).toContain(`${downUuids[0]} UNKNOWN failed`);
    });

    it('pages past the failed cells: the UNKNOWN rows come on top of the first page only, every page exits 3', async () => {
      const first = await list('--cell-timeout', DEADLINE, '--limit', '5');
      expect(first.code).toBe(3);
      expect(first.rows.map((r) => r.status).slice(0, 3)).toEqual(['UNKNOWN', 'UNKNOWN', 'UNKNOWN']);
      expect(first.rows.slice(3).map((r) => r.uuid)).toEqual(healthy.slice(0, 5).map((r) => r.uuid));
      const marker = /--marker ([0-9a-f-]{36})/.exec(first.stderr)?.[1];
      expect(marker).toBe(first.rows[7]!.uuid);
      const second = await list('--cell-timeout', DEADLINE, '--limit', '5', '--marker', marker!);
      expect(second.code).toBe(3);
      expect(second.rows.some((r) => r.status === 'UNKNOWN')).toBe(false);
      // Without the down cells the same instances follow, in the same order.
      const after = healthy.findIndex((r) => r.uuid === marker);
      expect(second.rows.map((r) => r.uuid)).toEqual(healthy.slice(after + 1, after + 6).map((r) => r.uuid));
    });

    it('with --deleted, makes UNKNOWN rows of the mappings queued for delete, marked deleted', async () => {
      const r = await list('--deleted', '--cell-timeout', DEADLINE);
      expect(r.code).toBe(3);
      expect(r.rows.filter((row) => row.status === 'UNKNOWN').map((row) => [row.cell, row.deleted])).toEqual([['down', true]]);
    });

    it("shows an instance of a failed cell from its mapping and request spec, status UNKNOWN, exit 3", async () => {
      const r = await cli('-f', 'json', 'instance', 'show', downUuids[0]!, '--cell-timeout', DEADLINE);
      expect(r.code).toBe(3);
      expect(JSON.parse(r.stdout)).toMatchObject({ uuid: downUuids[0], status: 'UNKNOWN', cell: 'down', cell_status: 'failed', project_id: 'p1' });
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/cell .*down.* failed/);
    });
  });
});
