/**
 * Flavors (instance types) of the API database: created as Nova's API creates them, listed and
 * shown as `openstack flavor list/show` would, for the instances cellctl boots.
 */
import { randomUUID } from 'node:crypto';
import { flavorKeys, insertFlavor, listFlavors as readFlavors, type NewFlavor } from '../db/api/flavor.repository';
import { inTransaction } from '../db/unit-of-work';
import { generalCiKey } from '../domain/collation';
import { FlavorExistsError, FlavorNotFoundError, InvalidValueError } from '../domain/errors';
import { FLAVOR_INTEGER_FIELDS, FLAVOR_MAX_INT, flavorIdProblem, flavorNameProblem, type Flavor } from '../domain/flavor';
import type { DatabaseContext } from './database-context.service';

/** Serialises cellctl's flavor writes (the clash check and the insert) on MySQL. */
const FLAVORS_LOCK = 'cellctl.flavors';

/** Options of createFlavor: the sizes, and an ID (a new UUID when none, as Nova). */
export interface CreateFlavorOptions {
  name: string;
  id?: string;
  memoryMb: number;
  vcpus: number;
  rootGb: number;
  ephemeralGb?: number;
  swap?: number;
  dryRun?: boolean;
  now?: Date;
}

/**
 * Creates a flavor as Nova's API does (nova/compute/flavors.py create): public, enabled, no extra
 * specs, rxtx_factor 1; with `dryRun`, writes nothing. Throws InvalidValueError for a name, ID or
 * size Nova's API refuses, FlavorExistsError when the name or ID is taken as MySQL compares them
 * (case and trailing blanks ignored), on both dialects.
 */
export async function createFlavor(dbs: DatabaseContext, options: CreateFlavorOptions): Promise<{ flavor: Flavor; dryRun: boolean }> {
  const nameProblem = flavorNameProblem(options.name);
  if (nameProblem) throw new InvalidValueError('name', options.name, nameProblem);
  if (options.id !== undefined) {
    const idProblem = flavorIdProblem(options.id);
    if (idProblem) throw new InvalidValueError('id', options.id, idProblem);
  }
  const flavor: NewFlavor = {
    flavorId: options.id ?? randomUUID(),
    name: options.name,
    memoryMb: options.memoryMb,
    vcpus: options.vcpus,
    rootGb: options.rootGb,
    ephemeralGb: options.ephemeralGb ?? 0,
    swap: options.swap ?? 0,
  };
  for (const [field, { option, min }] of Object.entries(FLAVOR_INTEGER_FIELDS)) {
    const value = flavor[field as keyof typeof FLAVOR_INTEGER_FIELDS];
    if (!Number.isInteger(value) || value < min || value > FLAVOR_MAX_INT) {
      throw new InvalidValueError(option, String(value), `an integer from ${min} to ${FLAVOR_MAX_INT} for ${option}`);
    }
  }
  const api = await dbs.api();
  const clash = async (db: typeof api.db) => {
    for (const other of await flavorKeys(db)) {
      if (generalCiKey(other.flavorId) === generalCiKey(flavor.flavorId)) throw new FlavorExistsError('flavor ID', flavor.flavorId, other.flavorId);
      if (generalCiKey(other.name) === generalCiKey(flavor.name)) throw new FlavorExistsError('name', flavor.name, other.flavorId);
    }
  };
  const now = options.now ?? new Date();
  if (options.dryRun) {
    await clash(api.db);
    return { flavor: { ...flavor, id: 0, rxtxFactor: 1, vcpuWeight: null, disabled: false, isPublic: true, description: null, extraSpecs: {} }, dryRun: true };
  }
  await inTransaction(
    api,
    async (tx) => {
      await clash(tx);
      await insertFlavor(tx, flavor, now);
    },
    { lock: FLAVORS_LOCK },
  );
  return { flavor: await showFlavor(dbs, flavor.flavorId), dryRun: false };
}

/** Every flavor, public or not, disabled or not, by flavor ID. Reads only. */
export async function listFlavors(dbs: DatabaseContext): Promise<Flavor[]> {
  return readFlavors((await dbs.api()).db);
}

/**
 * The flavor `ref` names: the one with that flavor ID, else the one with that name (both exact,
 * as the OpenStack client looks a flavor up). Throws FlavorNotFoundError. Reads only.
 */
export async function showFlavor(dbs: DatabaseContext, ref: string): Promise<Flavor> {
  const { db } = await dbs.api();
  const found = (await readFlavors(db, { flavorId: ref }))[0] ?? (await readFlavors(db, { name: ref }))[0];
  if (!found) throw new FlavorNotFoundError(ref);
  return found;
}
