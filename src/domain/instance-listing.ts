/**
 * Listing instances across cells as Nova's API does (nova/compute/api.py get_all,
 * nova/compute/multi_cell_list.py), as pure functions: the sort order and its comparator, the
 * status Nova's API shows for a vm_state, and the merge of build requests, the cells' pages and
 * the UNKNOWN rows of cells that could not be read.
 */

/** The instance columns a listing may be sorted by: timestamps, so every cell's SQL order and the merge agree on both dialects. */
export const INSTANCE_SORT_KEYS = ['created_at', 'updated_at', 'launched_at', 'terminated_at'] as const;
export type InstanceSortKey = (typeof INSTANCE_SORT_KEYS)[number];
export type SortDirection = 'asc' | 'desc';

/**
 * The order of a listing: the key in its direction, then `uuid` ascending, as Nova's API orders
 * GET /servers (the key, default created_at desc, and the uuid InstanceSortContext appends; the
 * `id` its database layer adds after them decides only between copies of one instance).
 */
export interface InstanceSort {
  key: InstanceSortKey;
  direction: SortDirection;
}

export const DEFAULT_INSTANCE_SORT: InstanceSort = { key: 'created_at', direction: 'desc' };

/** Where a listed row comes from. */
export type ListedSource = 'build-request' | 'cell' | 'unknown';

/** One row of a listing. `id` is the row id in its cell (null for build requests and UNKNOWN rows). */
export interface ListedInstance {
  uuid: string;
  id: number | null;
  name: string | null;
  status: string;
  vmState: string | null;
  taskState: string | null;
  projectId: string | null;
  userId: string | null;
  host: string | null;
  /** The cell holding it (null for a build request). */
  cell: { uuid: string; name: string | null } | null;
  createdAt: string | null;
  updatedAt: string | null;
  launchedAt: string | null;
  terminatedAt: string | null;
  deleted: boolean;
  source: ListedSource;
}

/** The position of a row in the order: its key value, uuid and id in its cell (a marker's too). */
export interface SortPosition {
  value: string | null;
  uuid: string;
  id: number;
}

/** The sort value of a listed row for `key`. */
export function sortValue(row: Pick<ListedInstance, 'createdAt' | 'updatedAt' | 'launchedAt' | 'terminatedAt'>, key: InstanceSortKey): string | null {
  switch (key) {
    case 'created_at':
      return row.createdAt;
    case 'updated_at':
      return row.updatedAt;
    case 'launched_at':
      return row.launchedAt;
    default:
      return row.terminatedAt;
  }
}

/**
 * A timestamp as the merge compares it: `YYYY-MM-DD HH:MM:SS.ffffff`, so that MySQL's whole
 * seconds and SQLite's text with SQLAlchemy's fraction (or without one, as older rows have it)
 * compare by the instant they name, not by their spelling.
 */
export function comparableTimestamp(value: string | null): string | null {
  if (value === null) return null;
  const [seconds, fraction = ''] = value.split('.');
  return `${seconds}.${fraction.padEnd(6, '0').slice(0, 6)}`;
}

/**
 * The listing's order over positions whose values are comparable timestamps: the key in its
 * direction (`sign`), NULL the smallest as both dialects sort it, then uuid ascending, then copies
 * of one instance by id.
 */
function compareComparable(a: SortPosition, b: SortPosition, sign: number): number {
  if (a.value !== b.value) return a.value === null ? -sign : b.value === null ? sign : a.value < b.value ? -sign : sign;
  if (a.uuid !== b.uuid) return a.uuid < b.uuid ? -1 : 1;
  return sign * (a.id - b.id);
}

/**
 * Orders two positions as Nova's API merges the cells (the key in its direction, NULLs smallest as
 * both dialects sort them, then uuid ascending), and copies of one instance by id; timestamps by
 * the instant they name.
 */
export function comparePositions(a: SortPosition, b: SortPosition, direction: SortDirection): number {
  return compareComparable({ ...a, value: comparableTimestamp(a.value) }, { ...b, value: comparableTimestamp(b.value) }, direction === 'asc' ? 1 : -1);
}

/** The position of a listed row in the order of `sort` (id 0 for rows of no cell). */
export function positionOf(row: ListedInstance, sort: InstanceSort): SortPosition {
  return { value: sortValue(row, sort.key), uuid: row.uuid, id: row.id ?? 0 };
}

/** What Nova's API shows as `status` for a vm_state and task_state (nova/api/openstack/common.py _STATE_MAP). */
export function novaStatus(vmState: string | null, taskState: string | null): string {
  const byTask = STATE_MAP[vmState ?? ''];
  if (!byTask) return 'UNKNOWN';
  return (taskState !== null ? byTask[taskState] : undefined) ?? byTask.default!;
}

const REBUILD = { rebuilding: 'REBUILD', rebuild_block_device_mapping: 'REBUILD', rebuild_spawning: 'REBUILD' };
const RESIZE = { resize_prep: 'RESIZE', resize_migrating: 'RESIZE', resize_migrated: 'RESIZE', resize_finish: 'RESIZE' };
const STATE_MAP: Record<string, Record<string, string>> = {
  active: {
    default: 'ACTIVE',
    rebooting: 'REBOOT',
    reboot_pending: 'REBOOT',
    reboot_started: 'REBOOT',
    rebooting_hard: 'HARD_REBOOT',
    reboot_pending_hard: 'HARD_REBOOT',
    reboot_started_hard: 'HARD_REBOOT',
    updating_password: 'PASSWORD',
    migrating: 'MIGRATING',
    ...REBUILD,
    ...RESIZE,
  },
  building: { default: 'BUILD' },
  stopped: { default: 'SHUTOFF', ...RESIZE, ...REBUILD },
  resized: { default: 'VERIFY_RESIZE', resize_reverting: 'REVERT_RESIZE' },
  paused: { default: 'PAUSED', migrating: 'MIGRATING' },
  suspended: { default: 'SUSPENDED' },
  rescued: { default: 'RESCUE' },
  error: { default: 'ERROR', ...REBUILD },
  deleted: { default: 'DELETED' },
  'soft-delete': { default: 'SOFT_DELETED' },
  shelved: { default: 'SHELVED' },
  shelved_offloaded: { default: 'SHELVED_OFFLOADED' },
};

/** The parts of a listing page, each already in the order of the sort. */
export interface ListingParts {
  /** Build requests (listed first, as Nova prepends them), in the order of the sort. */
  buildRequests: ListedInstance[];
  /** Each readable cell's rows after the marker: its first `limit` in the order of the sort, and possibly more. */
  cellPages: ListedInstance[][];
  /** UNKNOWN rows of the cells that failed (listed before everything, as Nova prepends them). */
  unknown: ListedInstance[];
}

/**
 * Rows sorted in the order of `sort` (see comparePositions), each row's sort key normalized once
 * rather than at every comparison (a page across ten cells sorts thousands of rows).
 */
export function sortListed(rows: readonly ListedInstance[], sort: InstanceSort): ListedInstance[] {
  const keyed = rows.map((row) => ({ row, value: comparableTimestamp(sortValue(row, sort.key)), uuid: row.uuid, id: row.id ?? 0 }));
  keyed.sort((a, b) => compareComparable(a, b, sort.direction === 'asc' ? 1 : -1));
  return keyed.map((k) => k.row);
}

/**
 * How many rows to read from each cell at a time, as Nova's `distributed` batch strategy sizes
 * them (nova/compute/multi_cell_list.py): a share of the page with 10% to spare, at least 100, at
 * most the page; one cell reads the page at once. A cell whose rows run out is read again.
 */
export function cellBatchSize(pageSize: number, cells: number): number {
  if (cells <= 1) return pageSize;
  return Math.max(Math.min(Math.floor((pageSize / cells) * 1.1), pageSize), 100);
}

/**
 * One page of a listing, as Nova's get_all builds it: build requests first, then the cells' rows
 * merged in the order of the sort, up to `limit`; duplicates by uuid removed (the first copy wins:
 * a build request over its instance, an earlier cell over a later one). The UNKNOWN rows of failed
 * cells are prepended as Nova prepends them, at most `limit` of them, but on top of the limit
 * (unlike Nova, which gives them only what the limit leaves): so they are seen whatever the page
 * size, and the pages after the first, which start after the last readable row, lose nothing.
 */
export function mergeListing(parts: ListingParts, sort: InstanceSort, limit: number): ListedInstance[] {
  const seen = new Set<string>();
  const page: ListedInstance[] = [];
  for (const row of [...parts.buildRequests, ...sortListed(parts.cellPages.flat(), sort)]) {
    if (page.length >= limit) break;
    if (seen.has(row.uuid)) continue;
    seen.add(row.uuid);
    page.push(row);
  }
  const unknown = parts.unknown.filter((row) => !seen.has(row.uuid)).slice(0, limit);
  return [...unknown, ...page];
}

/** The data of a Nova object primitive (`{"nova_object.data": {...}}`), or the value itself. */
function unwrapPrimitive(value: unknown): unknown {
  let current = value;
  while (current !== null && typeof current === 'object' && 'nova_object.data' in current) current = (current as Record<string, unknown>)['nova_object.data'];
  return current;
}

/**
 * A field of a Nova object primitive (JSON text, as build requests, request specs and
 * instance_extra hold them, or already parsed), following `path` through nested objects;
 * undefined when the text does not parse or a step is missing.
 */
export function readPrimitive(source: unknown, path: readonly string[]): unknown {
  let value: unknown = source;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  for (const key of path) {
    value = unwrapPrimitive(value);
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return unwrapPrimitive(value);
}
