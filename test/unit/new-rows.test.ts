import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { newCellMappingRow, newHostMappingRow, newInstanceMappingRow, newProjectUserQuotaRow, newQuotaClassRow, newQuotaRow } from '../../src/db/api/new-api-rows';
import { newFlavorRow, newInstanceGroupMemberRow, newInstanceGroupPolicyRow, newInstanceGroupRow } from '../../src/db/api/new-api-rows';
import {
  newBlockDeviceMappingRow,
  newInstanceActionEventRow,
  newInstanceActionRow,
  newInstanceExtraRow,
  newInstanceFaultRow,
  newInstanceIdMappingRow,
  newInstanceInfoCacheRow,
  newInstanceMetadataRow,
  newInstanceRow,
  newInstanceSystemMetadataRow,
  newS3ImageRow,
  newSecurityGroupRow,
  newTagRow,
  newVirtualInterfaceRow,
} from '../../src/db/cell/new-cell-rows';
import type { RowTime } from '../../src/db/new-row-defaults';
import { loadSchemaDefinition } from '../../src/db/schema/schema-definition';
import { describeWithNova } from '../support/nova-oracle';
import { NOVA_PYTHON } from '../support/test-environment';

const UUID = '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f';
const NOW = new Date('2024-02-29T23:59:58.765Z');
// As SQLAlchemy writes a DateTime into SQLite (MySQL keeps its whole seconds).
const NOW_TEXT = '2024-02-29 23:59:58.000000';

interface BuilderCase {
  /** Which of Nova's model modules defines the table: nova.db.api.models or nova.db.main.models. */
  models: 'api' | 'main';
  table: string;
  /** The row built from the required inputs alone. */
  row: Record<string, unknown>;
  required: object;
}

function builderCase<V extends object>(models: 'api' | 'main', table: string, build: (values: V, now: RowTime) => object, required: V): BuilderCase {
  return { models, table, required, row: { ...build(required, NOW) } };
}

const CASES: BuilderCase[] = [
  builderCase('api', 'cell_mappings', newCellMappingRow, { uuid: UUID }),
  builderCase('api', 'host_mappings', newHostMappingRow, { cell_id: 7, host: 'compute-1' }),
  builderCase('api', 'instance_mappings', newInstanceMappingRow, { instance_uuid: UUID, project_id: 'p' }),
  builderCase('api', 'quotas', newQuotaRow, { resource: 'cores' }),
  builderCase('api', 'project_user_quotas', newProjectUserQuotaRow, { user_id: 'u', project_id: 'p', resource: 'cores' }),
  builderCase('api', 'quota_classes', newQuotaClassRow, {}),
  builderCase('main', 'instances', newInstanceRow, { uuid: UUID }),
  builderCase('main', 'instance_extra', newInstanceExtraRow, { instance_uuid: UUID }),
  builderCase('main', 'instance_faults', newInstanceFaultRow, { code: 500 }),
  builderCase('main', 'instance_actions', newInstanceActionRow, {}),
  builderCase('main', 'instance_actions_events', newInstanceActionEventRow, {}),
  builderCase('main', 'block_device_mapping', newBlockDeviceMappingRow, {}),
  builderCase('main', 'tags', newTagRow, { resource_id: UUID, tag: 'blue' }),
  builderCase('main', 'virtual_interfaces', newVirtualInterfaceRow, {}),
  builderCase('main', 'instance_info_caches', newInstanceInfoCacheRow, { instance_uuid: UUID }),
  builderCase('main', 'instance_metadata', newInstanceMetadataRow, {}),
  builderCase('main', 'instance_system_metadata', newInstanceSystemMetadataRow, { instance_uuid: UUID, key: 'k' }),
  builderCase('main', 'security_groups', newSecurityGroupRow, {}),
  builderCase('main', 'instance_id_mappings', newInstanceIdMappingRow, { uuid: UUID }),
  builderCase('main', 's3_images', newS3ImageRow, { uuid: UUID }),
  builderCase('api', 'instance_groups', newInstanceGroupRow, { uuid: UUID }),
  builderCase('api', 'instance_group_policy', newInstanceGroupPolicyRow, { group_id: 7 }),
  builderCase('api', 'instance_group_member', newInstanceGroupMemberRow, { group_id: 7 }),
  builderCase('api', 'flavors', newFlavorRow, { name: 'm1.tiny', flavorid: '1', memory_mb: 512, vcpus: 1 }),
];

type NovaDefault = { scalar: unknown } | { callable: string } | { other: string };

/** Runs test/support/nova-model-defaults.py: the client-side defaults of Nova's own models. */
function novaModelDefaults(): Record<string, Record<string, NovaDefault>> {
  const script = join(__dirname, '..', 'support', 'nova-model-defaults.py');
  const r = spawnSync(NOVA_PYTHON, [script, ...CASES.map((c) => `${c.models}:${c.table}`)], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`nova-model-defaults.py exited ${r.status}\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** What a builder must write for one of Nova's defaults, in the form cellctl stores it. */
function storedValue(table: string, column: string, nova: NovaDefault): unknown {
  if ('callable' in nova && nova.callable === 'oslo_utils.timeutils.utcnow') return NOW_TEXT;
  if ('scalar' in nova) return typeof nova.scalar === 'boolean' ? Number(nova.scalar) : nova.scalar;
  throw new Error(`${table}.${column}: no rule for Nova's default ${JSON.stringify(nova)}`);
}

describe('new-row builders', () => {
  it('write the given time in Nova format, take a timestamp string as is, and let overrides win', () => {
    expect(newInstanceRow({ uuid: UUID }, NOW)).toMatchObject({ created_at: NOW_TEXT, updated_at: null, deleted: 0, deleted_at: null });
    expect(newInstanceActionRow({}, '2001-02-03 04:05:06')).toMatchObject({ created_at: '2001-02-03 04:05:06', start_time: '2001-02-03 04:05:06' });
    const row = newInstanceRow({ uuid: UUID, hidden: 1, cleaned: undefined, created_at: '1999-12-31 00:00:00', host: 'h' }, NOW);
    expect(row).toMatchObject({ uuid: UUID, hidden: 1, cleaned: 0, created_at: '1999-12-31 00:00:00', host: 'h' });
  });

  it('return a fresh object each call', () => {
    const first = newCellMappingRow({ uuid: UUID }, NOW);
    first.disabled = 1;
    expect(newCellMappingRow({ uuid: UUID }, NOW).disabled).toBe(0);
  });

  it('fill only columns the table has, and write NULL only where the schema allows it', () => {
    for (const c of CASES) {
      const definition = loadSchemaDefinition(c.models === 'api' ? 'api' : 'cell').tables.find((t) => t.name === c.table)!;
      const nullable = new Map(definition.columns.map((col) => [col.name, col.nullable]));
      for (const [column, value] of Object.entries(c.row)) {
        expect({ table: c.table, column, exists: nullable.has(column) }).toEqual({ table: c.table, column, exists: true });
        if (value === null) expect({ table: c.table, column, nullable: nullable.get(column) }).toEqual({ table: c.table, column, nullable: true });
      }
    }
  });

  describeWithNova()("against Nova's own models", () => {
    let nova: Record<string, Record<string, NovaDefault>>;
    beforeAll(() => {
      nova = novaModelDefaults();
    });

    it('reports every table asked for', () => {
      expect(Object.keys(nova).sort()).toEqual(CASES.map((c) => c.table).sort());
    });

    it.each(CASES.map((c) => [c.table, c] as const))('%s: fills exactly the columns Nova defaults, with the same values', (table, c) => {
      const expected = Object.fromEntries(Object.entries(nova[table]).map(([column, d]) => [column, storedValue(table, column, d)]));
      // Besides Nova's defaults a builder writes only the caller's values and explicit NULLs
      // (updated_at, deleted_at), which are no defaults and change nothing about the row.
      const filled = Object.fromEntries(Object.entries(c.row).filter(([column, value]) => !(column in c.required) && value !== null));
      expect(filled).toEqual(expected);
    });
  });
});
