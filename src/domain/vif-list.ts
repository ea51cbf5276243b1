/**
 * The pure half of Nova's `fill_virtual_interface_list` (nova/objects/virtual_interface.py): what
 * an instance's network info cache says its VIFs are, and whether its live `virtual_interfaces`
 * rows must be rebuilt from it.
 */

/** What fill_virtual_interface_list reads of one VIF of `instance_info_caches.network_info`. */
export interface CachedVif {
  id: string;
  address: string;
}

/** A live `virtual_interfaces` row of an instance, as far as the decision needs it. */
export interface LiveVif {
  uuid: string | null;
  tag: string | null;
}

/** A `virtual_interfaces` row to create, as Nova's rebuild creates it. */
export interface RebuiltVif {
  uuid: string;
  /** `<cache address>/<VIF id>`, as Nova namespaces the MAC address with the port. */
  address: string;
  tag: string | null;
}

/** What to do with one instance's VIF rows. */
export type VifListDecision =
  | { kind: 'nothing' }
  | { kind: 'unmigratable'; reason: 'more-vifs-than-cache' | 'network-info-unreadable' }
  | { kind: 'rebuild'; vifs: RebuiltVif[] };

// NOTE: the widths of virtual_interfaces.uuid and .address: longer values would fail Nova's insert on MySQL.
const UUID_WIDTH = 36;
const ADDRESS_WIDTH = 255;

/**
 * The VIFs of a cached network_info, in order: [] for NULL or an empty list (Nova skips such an
 * instance); undefined when it is not a JSON array of objects each with a string `id` and `address`
 * that fit the VIF columns (Nova raises on such a cache). Pure.
 */
export function parseNetworkInfo(text: string | null): CachedVif[] | undefined {
  if (text === null) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  const vifs: CachedVif[] = [];
  for (const vif of parsed) {
    if (typeof vif !== 'object' || vif === null || Array.isArray(vif)) return undefined;
    const { id, address } = vif as Record<string, unknown>;
    if (typeof id !== 'string' || typeof address !== 'string') return undefined;
    if (id.length > UUID_WIDTH || address.length + 1 + id.length > ADDRESS_WIDTH) return undefined;
    vifs.push({ id, address });
  }
  return vifs;
}

/**
 * Nova's decision for one instance, given its network_info and its live VIF rows in Nova's order
 * (created_at, id): nothing when the cache is empty or lists the same VIF ids in the same order;
 * unmigratable when the rows outnumber the cache's VIFs (Nova leaves them: an interface being
 * attached?) or the cache cannot be read; else the rows to create in cache order, each keeping the
 * tag of the first live row with its uuid. Pure.
 */
export function vifListDecision(networkInfo: string | null, live: readonly LiveVif[]): VifListDecision {
  const cached = parseNetworkInfo(networkInfo);
  if (cached === undefined) return { kind: 'unmigratable', reason: 'network-info-unreadable' };
  if (cached.length === 0) return { kind: 'nothing' };
  if (cached.length === live.length && cached.every((vif, i) => vif.id === live[i]!.uuid)) return { kind: 'nothing' };
  if (live.length > cached.length) return { kind: 'unmigratable', reason: 'more-vifs-than-cache' };
  return {
    kind: 'rebuild',
    vifs: cached.map((vif) => ({ uuid: vif.id, address: `${vif.address}/${vif.id}`, tag: live.find((old) => old.uuid === vif.id)?.tag ?? null })),
  };
}

/**
 * The UUID of the fake instance (and of its marker VIF row) Nova's fill_virtual_interface_list
 * creates to remember where it stopped (nova/objects/virtual_interface.py FAKE_UUID); never a real instance.
 */
export const NOVA_FAKE_INSTANCE_UUID = '00000000-0000-0000-0000-000000000000';
