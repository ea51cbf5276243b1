/**
 * Flavors of the API database (`flavors` with `flavor_extra_specs`), read as Nova's Flavor object
 * reads them and created as its create() writes them.
 */
import type { Kysely } from 'kysely';
import { fromDbBoolean } from '../dialect';
import type { RowTime } from '../new-row-defaults';
import type { Tx } from '../unit-of-work';
import type { ApiDatabase, FlavorsRow } from './api-tables.generated';
import { newFlavorRow } from './new-api-rows';
import type { Flavor } from '../../domain/flavor';

/** What a new flavor needs; the other columns take Nova's defaults. */
export interface NewFlavor {
  flavorId: string;
  name: string;
  memoryMb: number;
  vcpus: number;
  rootGb: number;
  ephemeralGb: number;
  swap: number;
}

function toFlavor(row: FlavorsRow, extraSpecs: Record<string, string | null>): Flavor {
  return {
    id: row.id,
    flavorId: row.flavorid,
    name: row.name,
    memoryMb: row.memory_mb,
    vcpus: row.vcpus,
    rootGb: row.root_gb,
    ephemeralGb: row.ephemeral_gb,
    swap: row.swap,
    rxtxFactor: row.rxtx_factor,
    vcpuWeight: row.vcpu_weight,
    // NOTE: Nova's model always fills both; a NULL written by something else reads as false.
    disabled: fromDbBoolean(row.disabled),
    isPublic: fromDbBoolean(row.is_public),
    description: row.description,
    extraSpecs,
  };
}

/**
 * Flavors matching a filter (a flavor ID, an exact name; none: all), with their extra specs, in
 * Nova's listing order (flavorid, then id). Names and IDs are compared exactly (MySQL's collation
 * would ignore case and trailing blanks).
 */
export async function listFlavors(db: Kysely<ApiDatabase>, filter: { flavorId?: string; name?: string } = {}): Promise<Flavor[]> {
  let query = db.selectFrom('flavors').selectAll();
  if (filter.flavorId !== undefined) query = query.where('flavorid', '=', filter.flavorId);
  if (filter.name !== undefined) query = query.where('name', '=', filter.name);
  const rows = (await query.orderBy('flavorid').orderBy('id').execute()).filter(
    (r) => (filter.flavorId === undefined || r.flavorid === filter.flavorId) && (filter.name === undefined || r.name === filter.name),
  );
  // NOTE: MySQL orders flavorid by its collation (case-insensitive); sort again so both dialects agree.
  rows.sort((a, b) => (a.flavorid < b.flavorid ? -1 : a.flavorid > b.flavorid ? 1 : a.id - b.id));
  const specs = new Map<number, Record<string, string | null>>(rows.map((r) => [r.id, {}]));
  if (rows.length > 0) {
    const ids = rows.map((r) => r.id);
    for (const spec of await db.selectFrom('flavor_extra_specs').select(['flavor_id', 'key', 'value']).where('flavor_id', 'in', ids).orderBy('key').execute()) {
      specs.get(spec.flavor_id)![spec.key] = spec.value;
    }
  }
  return rows.map((r) => toFlavor(r, specs.get(r.id)!));
}

/** Every flavor's name and flavor ID, for clash checks. */
export async function flavorKeys(db: Kysely<ApiDatabase>): Promise<Array<{ flavorId: string; name: string }>> {
  return (await db.selectFrom('flavors').select(['flavorid', 'name']).execute()).map((r) => ({ flavorId: r.flavorid, name: r.name }));
}

/** Inserts a flavor as Nova's Flavor.create does (no extra specs, no projects); returns its row id. */
export async function insertFlavor(tx: Tx<ApiDatabase>, flavor: NewFlavor, now: RowTime): Promise<number> {
  const row = newFlavorRow(
    {
      flavorid: flavor.flavorId,
      name: flavor.name,
      memory_mb: flavor.memoryMb,
      vcpus: flavor.vcpus,
      root_gb: flavor.rootGb,
      ephemeral_gb: flavor.ephemeralGb,
      swap: flavor.swap,
    },
    now,
  );
  const result = await tx.insertInto('flavors').values(row).executeTakeFirstOrThrow();
  return Number(result.insertId);
}
