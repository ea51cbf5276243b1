/**
 * Booting instances without Nova's services: how Nova's API names them
 * (nova/compute/api.py _populate_instance_names, nova/utils.py sanitize_hostname) and cellctl's
 * simulation of its scheduler over the compute nodes of the cell databases (docs/nova-differences.md).
 */

/** Nova's sanitize_hostname: Latin-1 only, at most 63 characters, [ _.] as '-', other non-word characters dropped, lower case, no '.'/'-' at either end. */
export function sanitizeHostname(name: string): string {
  let host = [...name].filter((c) => c.codePointAt(0)! <= 0xff).join('');
  host = [...host].slice(0, 63).join('');
  host = host.replace(/[ _.]/g, '-');
  host = host.replace(/[^\p{L}\p{N}\p{Mn}_.-]+/gu, '');
  host = host.toLowerCase();
  return host.replace(/^[.-]+|[.-]+$/g, '');
}

/** The display name and hostname Nova's API gives instance `index` (0-based) of `count` named `name`. */
export function instanceNames(name: string, uuid: string, index: number, count: number): { displayName: string; hostname: string } {
  const sanitized = sanitizeHostname(name);
  const hostname = sanitized === '' ? `Server-${uuid}` : count > 1 ? `${sanitized}-${index + 1}` : sanitized;
  return { displayName: count > 1 ? `${name}-${index + 1}` : name, hostname };
}

/** Nova's generate_uid('r'): a reservation id, 'r-' and 8 characters of 0-9a-z. */
export function reservationId(random: () => number = Math.random): string {
  const characters = '01234567890abcdefghijklmnopqrstuvwxyz';
  let id = 'r-';
  for (let i = 0; i < 8; i++) id += characters[Math.floor(random() * characters.length)];
  return id;
}

/** Nova's NoValidHost reason when hosts had room but too few were left for the request (scheduler/manager.py). */
export const NOT_ENOUGH_HOSTS = 'There are not enough hosts available.';

/** A compute node the simulated scheduler may choose, with what is left on it. */
export interface HostCandidate {
  cellUuid: string;
  host: string;
  node: string;
  computeNodeId: number;
  /** Its totals times its allocation ratios: what claims are checked against. */
  capacity: { vcpus: number; memoryMb: number; diskGb: number };
  freeVcpus: number;
  freeRamMb: number;
  freeDiskGb: number;
  /** The host has a host mapping (else choosing it buries the instance with "not mapped to any cell"). */
  mapped: boolean;
  availabilityZone: string;
}

/** What one instance of a flavor takes from a host (Nova's resources_from_flavor: swap counted in whole GB of disk). */
export interface Needs {
  vcpus: number;
  ramMb: number;
  diskGb: number;
}

/** The group policy to honour, and the hosts the group's members are on already. */
export interface GroupConstraint {
  policy: 'affinity' | 'anti-affinity' | 'soft-affinity' | 'soft-anti-affinity';
  memberHosts: string[];
}

/** The outcome of scheduling a multi-create request: a host per instance, or none at all (Nova's all-or-nothing). */
export type Placement = { kind: 'placed'; hosts: HostCandidate[] } | { kind: 'no-valid-host'; reason: string };

/**
 * Places `count` instances as Nova's scheduler would, in this simulation: hosts of the requested
 * zone (when given) with room for the flavor, the most free RAM first (Nova's RAM weigher), each
 * placed instance's usage taken off its host before the next; affinity keeps every instance on
 * one host (the members' when they have one), anti-affinity puts each on a host no member is on,
 * the soft policies prefer that order without requiring it. When one instance does not fit, none
 * is placed. Reasons as Nova's: '' (placement had no candidates: no host has room) or
 * 'There are not enough hosts available.' (hosts had room, the filters left too few).
 */
export function placeInstances(candidates: readonly HostCandidate[], needs: Needs, count: number, options: { availabilityZone?: string | null; group?: GroupConstraint } = {}): Placement {
  const hosts = candidates.map((h) => ({ ...h }));
  const fits = (h: HostCandidate) => h.freeVcpus >= needs.vcpus && h.freeRamMb >= needs.ramMb && h.freeDiskGb >= needs.diskGb;
  if (!hosts.some(fits)) return { kind: 'no-valid-host', reason: '' };
  const used = new Set<string>(options.group?.memberHosts ?? []);
  const chosen: HostCandidate[] = [];
  for (let i = 0; i < count; i++) {
    let eligible = hosts.filter((h) => fits(h) && (options.availabilityZone == null || h.availabilityZone === options.availabilityZone));
    const policy = options.group?.policy;
    const preferSame = (h: HostCandidate) => (used.size === 0 ? true : used.has(h.host));
    const preferOther = (h: HostCandidate) => !used.has(h.host);
    if (policy === 'affinity') eligible = eligible.filter(preferSame);
    if (policy === 'anti-affinity') eligible = eligible.filter(preferOther);
    if (policy === 'soft-affinity' && eligible.some(preferSame)) eligible = eligible.filter(preferSame);
    if (policy === 'soft-anti-affinity' && eligible.some(preferOther)) eligible = eligible.filter(preferOther);
    eligible.sort((a, b) => b.freeRamMb - a.freeRamMb || compare(a.host, b.host) || compare(a.node, b.node));
    const host = eligible[0];
    if (!host) return { kind: 'no-valid-host', reason: NOT_ENOUGH_HOSTS };
    host.freeVcpus -= needs.vcpus;
    host.freeRamMb -= needs.ramMb;
    host.freeDiskGb -= needs.diskGb;
    used.add(host.host);
    chosen.push({ ...host });
  }
  return { kind: 'placed', hosts: chosen };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The resources one instance of a flavor takes (root and ephemeral disk, swap rounded up to GB). */
export function flavorNeeds(flavor: { vcpus: number; memoryMb: number; rootGb: number | null; ephemeralGb: number | null; swap: number }): Needs {
  return { vcpus: flavor.vcpus, ramMb: flavor.memoryMb, diskGb: (flavor.rootGb ?? 0) + (flavor.ephemeralGb ?? 0) + Math.ceil(flavor.swap / 1024) };
}
