/**
 * Flavors of the API database, and the rules Nova's API applies to a new one
 * (nova/api/openstack/compute/schemas/flavor_manage.py, nova/compute/flavors.py:create).
 */

/** A flavor as cellctl shows it: the `flavors` row and its extra specs. */
export interface Flavor {
  /** The row's id (what instances record as instance_type_id). */
  id: number;
  /** The flavor ID users see and give (`flavors.flavorid`). */
  flavorId: string;
  name: string;
  memoryMb: number;
  vcpus: number;
  rootGb: number | null;
  ephemeralGb: number | null;
  swap: number;
  rxtxFactor: number | null;
  vcpuWeight: number | null;
  disabled: boolean;
  isPublic: boolean;
  description: string | null;
  /** `flavor_extra_specs`, by key. */
  extraSpecs: Record<string, string | null>;
}

/** Nova's limit of every integer flavor field (nova/db/constants.py MAX_INT). */
export const FLAVOR_MAX_INT = 0x7fffffff;

/** The integer fields of a new flavor: their option, and the smallest value Nova accepts. */
export const FLAVOR_INTEGER_FIELDS = {
  memoryMb: { option: '--ram', min: 1 },
  vcpus: { option: '--vcpus', min: 1 },
  rootGb: { option: '--disk', min: 0 },
  ephemeralGb: { option: '--ephemeral', min: 0 },
  swap: { option: '--swap', min: 0 },
} as const;

/** A flavor ID as Nova's API takes it: letters, digits, '.', ' ', '_', '-', no blank at either end, 1 to 255. */
const FLAVOR_ID = /^(?! )[a-zA-Z0-9. _-]{1,255}(?<! )$/;

/** Why Nova's API would refuse `id` as a flavor ID, or undefined. */
export function flavorIdProblem(id: string): string | undefined {
  return FLAVOR_ID.test(id) ? undefined : 'a flavor ID of 1 to 255 letters, digits, dots, blanks, underscores and hyphens, not starting or ending with a blank';
}

/**
 * Why Nova's API would refuse `name` as a flavor name (parameter_types.name), or undefined: 1 to
 * 255 characters of the Basic Multilingual Plane, none of them a control, format, unassigned or
 * private-use character nor a line or paragraph separator, and no space at either end.
 */
export function flavorNameProblem(name: string): string | undefined {
  const chars = [...name];
  const printable = (c: string) => c.codePointAt(0)! < 0xffff && !/[\p{C}\p{Zl}\p{Zp}]/u.test(c);
  const ok = chars.length >= 1 && chars.length <= 255 && chars.every(printable) && !/^\p{Zs}|\p{Zs}$/u.test(name);
  return ok ? undefined : 'a flavor name of 1 to 255 printable characters, not starting or ending with a space';
}
