/**
 * Rows for tests, written straight into Nova's tables with Kysely: cell mappings in the API
 * database; compute nodes, services and instances in a cell database. Only the NOT NULL columns
 * get defaults; anything else may be overridden per call.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ApiDatabase, NewCellMappingsRow } from '../../src/db/api/api-tables.generated';
import type { CellDatabase, NewComputeNodesRow, NewInstancesRow, NewServicesRow } from '../../src/db/cell/cell-tables.generated';
import type { SchemaKind } from '../../src/db/schema/schema-definition';
import { createDatabaseContext } from '../../src/services/database-context.service';
import { syncSchema } from '../../src/services/schema.service';

/** Creates the database at `url` (SQLite file or MySQL database) with Nova's API or cell schema. */
export async function createNovaDatabase(url: string, kind: SchemaKind, cwd = '/'): Promise<void> {
  const dbs = createDatabaseContext({ apiDatabaseConnection: url, cwd });
  try {
    const handle = kind === 'api' ? await dbs.api({ create: true }) : await dbs.cellDatabase({ uuid: 'fixture', name: null, databaseConnection: url }, { create: true });
    await syncSchema(handle, kind);
  } finally {
    await dbs.close();
  }
}

/** Inserts a cell mapping; returns its id and UUID (a random UUID unless given). */
export async function insertCellMapping(
  api: Kysely<ApiDatabase>,
  cell: { name?: string | null; uuid?: string; databaseConnection: string; transportUrl?: string; disabled?: boolean },
): Promise<{ id: number; uuid: string }> {
  const uuid = cell.uuid ?? randomUUID();
  const row: NewCellMappingsRow = {
    uuid,
    name: cell.name ?? null,
    transport_url: cell.transportUrl ?? 'none:///',
    database_connection: cell.databaseConnection,
    disabled: cell.disabled ? 1 : 0,
  };
  const result = await api.insertInto('cell_mappings').values(row).executeTakeFirstOrThrow();
  return { id: Number(result.insertId), uuid };
}

/** Options of insertComputeNode: `deleted: true` soft-deletes the row the way Nova does (deleted = id). */
export type ComputeNodeFixture = Partial<Omit<NewComputeNodesRow, 'deleted'>> & { host: string | null; deleted?: boolean };

/** Inserts a live compute node (mapped = 0 unless given); returns its id. */
export async function insertComputeNode(db: Kysely<CellDatabase>, node: ComputeNodeFixture): Promise<number> {
  const { deleted, ...columns } = node;
  const result = await db
    .insertInto('compute_nodes')
    .values({
      uuid: randomUUID(),
      hypervisor_hostname: node.host,
      vcpus: 8,
      memory_mb: 16384,
      local_gb: 100,
      vcpus_used: 0,
      memory_mb_used: 0,
      local_gb_used: 0,
      hypervisor_type: 'fake',
      hypervisor_version: 1000,
      cpu_info: '{}',
      mapped: 0,
      ...columns,
      deleted: 0,
    })
    .executeTakeFirstOrThrow();
  const id = Number(result.insertId);
  if (deleted) await db.updateTable('compute_nodes').set({ deleted: id }).where('id', '=', id).execute();
  return id;
}

/** Inserts a live `nova-compute` service on `host` (override `binary`, `disabled`, `deleted`...); returns its id. */
export async function insertComputeService(
  db: Kysely<CellDatabase>,
  host: string,
  overrides: Partial<Omit<NewServicesRow, 'deleted'>> & { deleted?: boolean } = {},
): Promise<number> {
  const { deleted, ...columns } = overrides;
  const result = await db
    .insertInto('services')
    .values({ host, binary: 'nova-compute', topic: 'compute', report_count: 0, disabled: 0, uuid: randomUUID(), version: 61, ...columns, deleted: 0 })
    .executeTakeFirstOrThrow();
  const id = Number(result.insertId);
  if (deleted) await db.updateTable('services').set({ deleted: id }).where('id', '=', id).execute();
  return id;
}

/** Inserts an instance (live unless `deleted`); returns its UUID. */
export async function insertInstance(
  db: Kysely<CellDatabase>,
  instance: Partial<Omit<NewInstancesRow, 'deleted'>> & { deleted?: boolean } = {},
): Promise<string> {
  const { deleted, ...columns } = instance;
  const uuid = instance.uuid ?? randomUUID();
  const result = await db
    .insertInto('instances')
    .values({ vm_state: 'active', project_id: 'project', user_id: 'user', ...columns, uuid, deleted: 0 })
    .executeTakeFirstOrThrow();
  if (deleted) {
    const id = Number(result.insertId);
    await db.updateTable('instances').set({ deleted: id }).where('id', '=', id).execute();
  }
  return uuid;
}

// Children first: the typed tables with a foreign key to instances or instance_actions.
const CELL_TABLES_TO_CLEAR = [
  'instance_actions_events',
  'instance_actions',
  'instance_faults',
  'instance_extra',
  'instances',
  'compute_nodes',
  'services',
] satisfies Array<keyof CellDatabase>;

/** Empties the instance, compute node and service tables (and their children), so one deployment serves many tests. */
export async function clearCellTables(db: Kysely<CellDatabase>): Promise<void> {
  for (const table of CELL_TABLES_TO_CLEAR) await db.deleteFrom(table).execute();
}

/** Empties the API database's mappings (host, instance and cell mappings, in foreign-key order). */
export async function clearApiMappings(db: Kysely<ApiDatabase>): Promise<void> {
  await db.deleteFrom('host_mappings').execute();
  await db.deleteFrom('instance_mappings').execute();
  await db.deleteFrom('cell_mappings').execute();
}

/**
 * Inserts `count` instances in multi-row statements, the way an old deployment holds them:
 * every `deletedEvery`-th soft-deleted (deleted = id), every `softDeleteEvery`-th in vm_state
 * soft-delete, every `hiddenEvery`-th hidden (a cross-cell resize shadow). Returns their UUIDs.
 */
export async function insertInstances(
  db: Kysely<CellDatabase>,
  count: number,
  shares: { deletedEvery?: number; softDeleteEvery?: number; hiddenEvery?: number } = {},
): Promise<string[]> {
  const uuids: string[] = [];
  const every = (n: number | undefined, i: number): boolean => n !== undefined && i % n === 0;
  for (let start = 1; start <= count; start += 1000) {
    const rows: NewInstancesRow[] = [];
    for (let i = start; i < Math.min(start + 1000, count + 1); i += 1) {
      const uuid = randomUUID();
      uuids.push(uuid);
      rows.push({
        uuid,
        project_id: `project-${i % 3}`,
        user_id: `user-${i % 4}`,
        vm_state: every(shares.softDeleteEvery, i) ? 'soft-delete' : 'active',
        hidden: every(shares.hiddenEvery, i) ? 1 : i % 2 ? 0 : null,
        deleted: every(shares.deletedEvery, i) ? -1 : 0,
      });
    }
    await db.insertInto('instances').values(rows).execute();
  }
  // Nova marks a deleted row with its own id.
  await db.updateTable('instances').set((eb) => ({ deleted: eb.ref('id') })).where('deleted', '=', -1).execute();
  return uuids;
}

/** network_info as Nova's compute caches it: an array of VIFs, each with much more than id and address. */
export function networkInfo(...vifs: Array<[id: string, address: string]>): string {
  return JSON.stringify(
    vifs.map(([id, address]) => ({
      id,
      address,
      type: 'ovs',
      devname: `tap${id.slice(0, 11)}`,
      active: true,
      vnic_type: 'normal',
      network: { id: 'net-1', label: 'private', bridge: 'br-int', subnets: [], meta: {} },
      details: {},
      profile: {},
      meta: {},
      preserve_on_delete: false,
    })),
  );
}
