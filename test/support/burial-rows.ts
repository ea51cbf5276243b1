/**
 * The rows of a burial in cell0 as two burials (Nova's and cellctl's, on two deployments) must
 * agree on them: the tables Nova's conductor writes, and each row without what differs by nature.
 */
import type { Kysely } from 'kysely';

/** The cell0 tables Nova's `_bury_in_cell0` writes (and a burial is compared on). */
export const CELL0_BURIAL_TABLES = [
  'instances',
  'instance_extra',
  'instance_info_caches',
  'instance_metadata',
  'instance_system_metadata',
  'instance_id_mappings',
  's3_images',
  'security_groups',
  'security_group_instance_association',
  'instance_actions',
  'instance_actions_events',
  'block_device_mapping',
  'tags',
  'instance_faults',
];

export type ShapedRows = Record<string, Array<Record<string, unknown>>>;

/**
 * Every row of the tables, sorted, in the shape two burials must agree on: no ids (action_id
 * neither), timestamps as set or not, generated BDM UUIDs and request ids as 'generated', cell ids
 * as the cell's name, a request spec's change lists sorted (Nova writes them from a Python set, in
 * an order that differs from run to run). `skip` names `table.column`s compared elsewhere.
 */
export async function burialShape(db: Kysely<any>, tables: readonly string[], cellNames: Map<number, string>, skip: readonly string[] = []): Promise<ShapedRows> {
  const out: ShapedRows = {};
  for (const table of tables) {
    const rows = (await db.selectFrom(table).selectAll().execute()) as Array<Record<string, unknown>>;
    out[table] = rows
      .map((row) =>
        Object.fromEntries(
          Object.entries(row)
            .filter(([column]) => column !== 'id' && column !== 'action_id' && !skip.includes(`${table}.${column}`))
            .map(([column, value]) => [column, shapedValue(table, column, value, cellNames)]),
        ),
      )
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return out;
}

function shapedValue(table: string, column: string, value: unknown, cellNames: Map<number, string>): unknown {
  if (/_at$|_time$/.test(column)) return value === null ? null : 'set';
  if (table === 'block_device_mapping' && column === 'uuid') return value === null ? null : 'generated';
  if (column === 'request_id') return /^req-[0-9a-f-]{36}$/.test(String(value)) ? 'generated' : value;
  if (column === 'cell_id') return value === null ? null : cellNames.get(Number(value));
  if (table === 'request_specs' && column === 'spec') return JSON.stringify(JSON.parse(String(value)), (k, v) => (k === 'nova_object.changes' ? [...(v as string[])].sort() : v));
  return value;
}
