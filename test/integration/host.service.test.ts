import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { ApiDatabase } from '../../src/db/api/api-tables.generated';
import type { CellDatabase } from '../../src/db/cell/cell-tables.generated';
import { CELL0_UUID } from '../../src/domain/constants';
import { isFailed } from '../../src/domain/outcome';
import {
  CellNotFoundError,
  DatabaseMissingError,
  HostHasInstancesError,
  HostInOtherCellError,
  HostNotMappedError,
  InvalidValueError,
  Cell0HasNoHostsError,
} from '../../src/domain/errors';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { deleteHost, discoverHosts as discover, listHosts, waitForHosts as waitFor, type DiscoverHostsOptions, type WaitForHostsOptions } from '../../src/services/host.service';
import { CELLCTL_RULES } from '../../src/services/rules';
import type { RunEvent } from '../../src/services/run-events';

type HostDiscoveryEvent = RunEvent;
const discoverHosts = (dbs: DatabaseContext, options: Omit<DiscoverHostsOptions, 'rules'> = {}) => discover(dbs, { rules: CELLCTL_RULES, ...options });
const waitForHosts = (dbs: DatabaseContext, options: Omit<WaitForHostsOptions, 'rules'>) => waitFor(dbs, { rules: CELLCTL_RULES, ...options });
const failuresOf = (r: Awaited<ReturnType<typeof discover>>) => r.outcomes.filter(isFailed);
const notices = (events: RunEvent[], kind: string) => events.flatMap((e) => (e.type === 'notice' && e.notice.kind === kind ? [e.notice] : []));
import {
  clearApiMappings,
  clearCellTables,
  createNovaDatabase,
  insertCellMapping,
  insertComputeNode,
  insertComputeService,
  insertInstance,
} from '../support/cell-fixtures';
import { describeEachDialect } from '../support/dialect-matrix';

const CELL1_UUID = '11111111-1111-4111-8111-111111111111';
const CELL2_UUID = '22222222-2222-4222-8222-222222222222';

describeEachDialect('host service', (env) => {
  const urls = { api: '', cell0: '', cell1: '', cell2: '' };
  let dbs: DatabaseContext;
  let api: Kysely<ApiDatabase>;
  let cell0: Kysely<CellDatabase>;
  let cell1: Kysely<CellDatabase>;
  let cell2: Kysely<CellDatabase>;
  let ids: { cell0: number; cell1: number; cell2: number };

  beforeAll(async () => {
    urls.api = env.newUrl('api');
    urls.cell0 = env.newUrl('cell0');
    urls.cell1 = env.newUrl('cell1');
    urls.cell2 = env.newUrl('cell2');
    await createNovaDatabase(urls.api, 'api');
    for (const url of [urls.cell0, urls.cell1, urls.cell2]) await createNovaDatabase(url, 'cell');
    dbs = createDatabaseContext({ apiDatabaseConnection: urls.api, cwd: env.dir });
    api = (await dbs.api()).db;
    cell0 = (await dbs.cellDatabase({ uuid: 'cell0', name: 'cell0', databaseConnection: urls.cell0 })).db;
    cell1 = (await dbs.cellDatabase({ uuid: 'cell1', name: 'cell1', databaseConnection: urls.cell1 })).db;
    cell2 = (await dbs.cellDatabase({ uuid: 'cell2', name: 'cell2', databaseConnection: urls.cell2 })).db;
  });
  afterAll(() => dbs.close());

  beforeEach(async () => {
    await clearApiMappings(api);
    for (const db of [cell0, cell1, cell2]) await clearCellTables(db);
    ids = {
      cell0: (await insertCellMapping(api, { name: 'cell0', uuid: CELL0_UUID, databaseConnection: urls.cell0 })).id,
      cell1: (await insertCellMapping(api, { name: 'cell1', uuid: CELL1_UUID, databaseConnection: urls.cell1 })).id,
      cell2: (await insertCellMapping(api, { name: 'cell2', uuid: CELL2_UUID, databaseConnection: urls.cell2, disabled: true })).id,
    };
  });

  const hostMappings = async (): Promise<Array<[string, number]>> =>
    (await api.selectFrom('host_mappings').select(['host', 'cell_id']).orderBy('host').execute()).map((r) => [r.host, r.cell_id]);
  const mappedFlags = async (db: Kysely<CellDatabase>): Promise<Array<[string | null, number | null]>> =>
    (await db.selectFrom('compute_nodes').select(['host', 'mapped']).orderBy('id').execute()).map((r) => [r.host, r.mapped]);
  const mapHost = (host: string, cellId: number) => api.insertInto('host_mappings').values({ host, cell_id: cellId }).execute();

  it('maps the unmapped compute nodes of every cell, the disabled one included, and skips cell0', async () => {
    await insertComputeNode(cell1, { host: 'b-compute' });
    await insertComputeNode(cell1, { host: 'a-compute' });
    await insertComputeNode(cell1, { host: 'a-compute', hypervisor_hostname: 'a-node-2' });
    await insertComputeNode(cell2, { host: 'c-compute' });
    await insertComputeNode(cell0, { host: 'never' });
    await insertComputeNode(cell1, { host: 'gone', deleted: true });
    await insertComputeNode(cell1, { host: 'flagged', mapped: 1 });

    const result = await discoverHosts(dbs);
    expect(result.mapped.map((m) => [m.host, m.cell.name])).toEqual([
      ['a-compute', 'cell1'],
      ['b-compute', 'cell1'],
      ['c-compute', 'cell2'],
    ]);
    expect(result.cells.map((c) => c.name)).toEqual(['cell1', 'cell2']);
    expect(result).toMatchObject({ conflicts: [], computeNodesMarked: 4, dryRun: false });
    expect(result.outcomes.map((o) => o.status)).toEqual(['ok', 'ok']);
    expect(await hostMappings()).toEqual([
      ['a-compute', ids.cell1],
      ['b-compute', ids.cell1],
      ['c-compute', ids.cell2],
    ]);
    expect(await mappedFlags(cell1)).toEqual([
      ['b-compute', 1],
      ['a-compute', 1],
      ['a-compute', 1],
      ['gone', 0],
      ['flagged', 1],
    ]);
    expect(await mappedFlags(cell0)).toEqual([['never', 0]]);

    const again = await discoverHosts(dbs);
    expect(again.mapped).toEqual([]);
    expect(again.computeNodesMarked).toBe(0);
  });

  it('warns about a host mapped to another cell, leaves it, and keeps its node unmapped', async () => {
    await mapHost('shared', ids.cell1);
    await insertComputeNode(cell2, { host: 'shared' });
    await insertComputeNode(cell2, { host: 'own' });
    const events: HostDiscoveryEvent[] = [];
    const result = await discoverHosts(dbs, { onEvent: (e) => events.push(e) });
    expect(result.mapped.map((m) => m.host)).toEqual(['own']);
    expect(result.conflicts.map((c) => [c.host, c.cell.name, c.mappedTo])).toEqual([['shared', 'cell2', { uuid: CELL1_UUID, name: 'cell1' }]]);
    expect(notices(events, 'host-in-other-cell')).toEqual([{ kind: 'host-in-other-cell', host: 'shared', cell: { uuid: CELL2_UUID, name: 'cell2' }, mappedTo: { uuid: CELL1_UUID, name: 'cell1' }, byService: false }]);
    expect(await hostMappings()).toEqual([
      ['own', ids.cell2],
      ['shared', ids.cell1],
    ]);
    expect(await mappedFlags(cell2)).toEqual([
      ['shared', 0],
      ['own', 1],
    ]);
  });

  it('marks the nodes of a host already mapped to their own cell (what Nova leaves at 0), reporting no new host', async () => {
    await mapHost('pre', ids.cell1);
    await insertComputeNode(cell1, { host: 'pre' });
    const result = await discoverHosts(dbs);
    expect(result.mapped).toEqual([]);
    expect(result.computeNodesMarked).toBe(1);
    expect(await mappedFlags(cell1)).toEqual([['pre', 1]]);
  });

  it('--by-service maps the hosts of live nova-compute services, disabled ones included, leaving mapped alone', async () => {
    await insertComputeService(cell1, 'ironic-1');
    await insertComputeService(cell1, 'ironic-2', { disabled: 1 });
    await insertComputeService(cell1, 'conductor-1', { binary: 'nova-conductor', topic: 'conductor' });
    await insertComputeService(cell1, 'old', { deleted: true });
    await insertComputeNode(cell1, { host: 'ironic-1' });
    const result = await discoverHosts(dbs, { byService: true });
    expect(result.mapped.map((m) => m.host)).toEqual(['ironic-1', 'ironic-2']);
    expect(result.computeNodesMarked).toBe(0);
    expect(await mappedFlags(cell1)).toEqual([['ironic-1', 0]]);
    expect((await discoverHosts(dbs, { byService: true })).mapped).toEqual([]);
  });

  it('a dry run reports the hosts it would map and writes nothing', async () => {
    await insertComputeNode(cell1, { host: 'h1' });
    await insertComputeNode(cell2, { host: 'h1' });
    await insertComputeNode(cell2, { host: 'h2' });
    const result = await discoverHosts(dbs, { dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(result.mapped.map((m) => [m.host, m.cell.name])).toEqual([
      ['h1', 'cell1'],
      ['h2', 'cell2'],
    ]);
    expect(result.conflicts.map((c) => [c.host, c.cell.name, c.mappedTo.name])).toEqual([['h1', 'cell2', 'cell1']]);
    expect(await hostMappings()).toEqual([]);
    expect(await mappedFlags(cell1)).toEqual([['h1', 0]]);
  });

  it('scans one cell by name or UUID; cell0 is invalid input, an unknown cell too', async () => {
    await insertComputeNode(cell1, { host: 'one' });
    await insertComputeNode(cell2, { host: 'two' });
    expect((await discoverHosts(dbs, { cell: CELL2_UUID })).mapped.map((m) => m.host)).toEqual(['two']);
    expect((await discoverHosts(dbs, { cell: 'cell1' })).mapped.map((m) => m.host)).toEqual(['one']);
    await expect(discoverHosts(dbs, { cell: 'cell0' })).rejects.toThrow(Cell0HasNoHostsError);
    await expect(discoverHosts(dbs, { cell: CELL0_UUID })).rejects.toThrow(/cell0 never has hosts/);
    await expect(discoverHosts(dbs, { cell: 'nope' })).rejects.toThrow(CellNotFoundError);
  });

  it('records a cell whose database does not exist as a failure and maps the others', async () => {
    const missing =
      env.dialect === 'sqlite' ? `sqlite:///${join(env.dir, 'missing', 'dir', 'x.sqlite')}` : env.newUrl('never_created');
    await insertCellMapping(api, { name: 'down', databaseConnection: missing });
    await insertComputeNode(cell1, { host: 'up-1' });
    await insertComputeNode(cell2, { host: 'up-2' });
    const events: HostDiscoveryEvent[] = [];
    const result = await discoverHosts(dbs, { onEvent: (e) => events.push(e) });
    expect(result.mapped.map((m) => m.host)).toEqual(['up-1', 'up-2']);
    expect(failuresOf(result).map((f) => [f.item.name, f.status])).toEqual([['down', 'failed']]);
    expect(failuresOf(result)[0].error).toBeInstanceOf(DatabaseMissingError);
    expect(failuresOf(result)[0].error).toMatchObject({ schema: 'cell', cell: { name: 'down' }, directoryMissing: env.dialect === 'sqlite' });
    expect(failuresOf(result)[0].error.message).toMatch(/^cell database .* does not exist yet$/);
    expect(events.flatMap((e) => (e.type === 'cell-finished' && e.outcome.status !== 'ok' ? [e.cell.name] : []))).toEqual(['down']);
  });

  it('runs in parallel with itself: every host mapped once, reported by exactly one run', async () => {
    const hosts = Array.from({ length: 30 }, (_, i) => `par-${String(i).padStart(2, '0')}`);
    for (const [i, host] of hosts.entries()) await insertComputeNode(i % 2 ? cell1 : cell2, { host });
    const contexts = Array.from({ length: 4 }, () => createDatabaseContext({ apiDatabaseConnection: urls.api, cwd: env.dir }));
    try {
      const results = await Promise.all(contexts.map((c) => discoverHosts(c)));
      const reported = results.flatMap((r) => r.mapped.map((m) => m.host)).sort();
      expect(reported).toEqual(hosts);
      expect(results.every((r) => failuresOf(r).length === 0)).toBe(true);
    } finally {
      await Promise.all(contexts.map((c) => c.close()));
    }
    expect((await hostMappings()).map(([h]) => h)).toEqual(hosts);
    expect((await mappedFlags(cell1)).every(([, m]) => m === 1)).toBe(true);
  });

  describe('waitForHosts', () => {
    /** A fake clock that sleep advances; `during` runs inside the given sleep (1-based). */
    function fakeTime(during: Record<number, () => Promise<unknown>> = {}) {
      let t = Date.UTC(2024, 0, 1);
      const sleeps: number[] = [];
      return {
        sleeps,
        now: () => new Date(t),
        sleep: async (ms: number) => {
          sleeps.push(ms);
          t += ms;
          await during[sleeps.length]?.();
        },
      };
    }

    it('discovers in rounds until every named host is mapped', async () => {
      await insertComputeNode(cell1, { host: 'early' });
      const time = fakeTime({ 2: () => insertComputeNode(cell2, { host: 'late' }) });
      const events: HostDiscoveryEvent[] = [];
      const result = await waitForHosts(dbs, {
        hosts: ['early', 'late'],
        timeoutMs: 10_000,
        intervalMs: 2000,
        ...time,
        onEvent: (e) => events.push(e),
      });
      expect(result.missing).toEqual([]);
      expect(result.rounds).toBe(3);
      expect(result.mapped.map((m) => [m.host, m.cell.name])).toEqual([
        ['early', 'cell1'],
        ['late', 'cell2'],
      ]);
      expect(time.sleeps).toEqual([2000, 2000]);
      expect(notices(events, 'waiting-for-hosts').map((n) => (n.kind === 'waiting-for-hosts' ? n.missing : []))).toEqual([['late'], ['late']]);
    });

    it('counts a host mapped by someone else, and stops at the timeout naming the missing hosts', async () => {
      await mapHost('elsewhere', ids.cell2);
      const time = fakeTime();
      const result = await waitForHosts(dbs, { hosts: ['elsewhere', 'ghost', 'ghost'], timeoutMs: 2500, intervalMs: 1000, ...time });
      expect(result.missing).toEqual(['ghost']);
      expect(result.mapped).toEqual([]);
      expect(time.sleeps).toEqual([1000, 1000, 500]);
      expect(result.rounds).toBe(4);
    });

    it('reports a conflict once however many rounds meet it', async () => {
      await mapHost('shared', ids.cell1);
      await insertComputeNode(cell2, { host: 'shared' });
      const events: HostDiscoveryEvent[] = [];
      const result = await waitForHosts(dbs, { hosts: ['ghost'], timeoutMs: 3000, ...fakeTime(), onEvent: (e) => events.push(e) });
      expect(result.rounds).toBe(4);
      expect(notices(events, 'host-in-other-cell')).toHaveLength(1);
      expect(result.conflicts).toHaveLength(1);
    });

    it('refuses an empty host list and a negative timeout', async () => {
      await expect(waitForHosts(dbs, { hosts: [' ', ''], timeoutMs: 1000 })).rejects.toThrow(InvalidValueError);
      await expect(waitForHosts(dbs, { hosts: ['a'], timeoutMs: -1 })).rejects.toThrow(InvalidValueError);
    });
  });

  it('lists host mappings sorted by host (code-unit order on both dialects), of all cells or one', async () => {
    await mapHost('b', ids.cell2);
    await mapHost('a', ids.cell1);
    await mapHost('C', ids.cell1);
    const all = await listHosts(dbs);
    expect(all.map((h) => [h.host, h.cell.name, h.cell.uuid])).toEqual([
      ['C', 'cell1', CELL1_UUID],
      ['a', 'cell1', CELL1_UUID],
      ['b', 'cell2', CELL2_UUID],
    ]);
    expect((await listHosts(dbs, { cell: CELL1_UUID })).map((h) => h.host)).toEqual(['C', 'a']);
    expect(await listHosts(dbs, { cell: 'cell0' })).toEqual([]);
    await expect(listHosts(dbs, { cell: 'nope' })).rejects.toThrow(CellNotFoundError);
  });

  describe('deleteHost', () => {
    it('deletes the mapping and marks the host nodes unmapped; a dry run writes nothing', async () => {
      await insertComputeNode(cell1, { host: 'h', mapped: 1 });
      await insertComputeNode(cell1, { host: 'h', mapped: 1, hypervisor_hostname: 'h-2' });
      await insertComputeNode(cell1, { host: 'other', mapped: 1 });
      await insertInstance(cell1, { host: 'h', deleted: true });
      await insertInstance(cell1, { host: 'other' });
      await mapHost('h', ids.cell1);

      const dry = await deleteHost(dbs, { cell: 'cell1', host: 'h', dryRun: true });
      expect(dry).toMatchObject({ host: 'h', computeNodes: 2, dryRun: true });
      expect(await hostMappings()).toEqual([['h', ids.cell1]]);
      expect(await mappedFlags(cell1)).toEqual([
        ['h', 1],
        ['h', 1],
        ['other', 1],
      ]);

      const done = await deleteHost(dbs, { cell: CELL1_UUID, host: 'h' });
      expect(done).toMatchObject({ host: 'h', computeNodes: 2, dryRun: false });
      expect(done.cell.uuid).toBe(CELL1_UUID);
      expect(await hostMappings()).toEqual([]);
      expect(await mappedFlags(cell1)).toEqual([
        ['h', 0],
        ['h', 0],
        ['other', 1],
      ]);
    });

    it('refuses an unmapped host, a host of another cell (naming it) and a host with live instances, writing nothing', async () => {
      await expect(deleteHost(dbs, { cell: 'cell1', host: 'nobody' })).rejects.toThrow(HostNotMappedError);
      await mapHost('h2', ids.cell2);
      await expect(deleteHost(dbs, { cell: 'cell1', host: 'h2' })).rejects.toThrow(HostInOtherCellError);
      await expect(deleteHost(dbs, { cell: 'cell1', host: 'h2' })).rejects.toThrow(/mapped to cell cell2 \(2222/);
      await mapHost('busy', ids.cell1);
      await insertComputeNode(cell1, { host: 'busy', mapped: 1 });
      await insertInstance(cell1, { host: 'busy' });
      await expect(deleteHost(dbs, { cell: 'cell1', host: 'busy' })).rejects.toThrow(HostHasInstancesError);
      expect(await hostMappings()).toEqual([
        ['busy', ids.cell1],
        ['h2', ids.cell2],
      ]);
      expect(await mappedFlags(cell1)).toEqual([['busy', 1]]);
      await expect(deleteHost(dbs, { cell: 'nope', host: 'busy' })).rejects.toThrow(CellNotFoundError);
    });
  });
});
