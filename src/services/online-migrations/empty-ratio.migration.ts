/**
 * Nova's `migrate_empty_ratio`: every live compute node with an allocation ratio NULL or 0.0 gets,
 * for each such ratio, `[DEFAULT] <resource>_allocation_ratio` when it is set and not 0, else
 * `[DEFAULT] initial_<resource>_allocation_ratio` (16.0, 1.5, 1.0); other ratios are kept;
 * `updated_at = now`. The settings are those of the host cellctl runs on, as Nova's are.
 */
import { fillEmptyRatios, listNodesWithEmptyRatio, type AllocationRatios } from '../../db/cell/compute-node.repository';
import { toDbTimestamp } from '../../db/dialect';
import { inTransaction } from '../../db/unit-of-work';
import { InvalidSettingError } from '../../domain/errors';
import type { CellMigrationContext, OnlineMigration, SettingReader } from './migration';

/** Compute nodes read and written per step. */
export const EMPTY_RATIO_CHUNK = 1_000;

/** Nova's `[DEFAULT] initial_<resource>_allocation_ratio` defaults. */
export const INITIAL_ALLOCATION_RATIOS: Readonly<AllocationRatios> = Object.freeze({ cpu: 16.0, ram: 1.5, disk: 1.0 });

/** A decimal number as oslo.config's FloatOpt reads one (surrounding blanks allowed; no inf or nan). */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A `[DEFAULT]` ratio: undefined when unset (or empty, as oslo.config reads it); throws InvalidSettingError unless a number >= 0. */
function ratioSetting(setting: SettingReader, option: string): number | undefined {
  const raw = setting('DEFAULT', option);
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw.trim());
  if (!DECIMAL.test(raw.trim()) || !Number.isFinite(value) || value < 0) throw new InvalidSettingError('DEFAULT', option, raw, 'a number of 0 or more');
  return value;
}

/**
 * The ratio each empty ratio becomes, from the settings. Throws InvalidSettingError for a ratio
 * that is not a number of 0 or more, and for an initial ratio that is empty or 0: Nova would write
 * it and find the node empty again on every run, for ever.
 */
export function allocationRatios(setting: SettingReader): AllocationRatios {
  const ratioOf = (resource: keyof AllocationRatios): number => {
    const configured = ratioSetting(setting, `${resource}_allocation_ratio`);
    const initialOption = `initial_${resource}_allocation_ratio`;
    const initialRaw = setting('DEFAULT', initialOption);
    const initial = initialRaw === undefined ? INITIAL_ALLOCATION_RATIOS[resource] : ratioSetting(setting, initialOption);
    if (!initial) throw new InvalidSettingError('DEFAULT', initialOption, initialRaw ?? '', 'a number above 0');
    return configured ? configured : initial;
  };
  return { cpu: ratioOf('cpu'), ram: ratioOf('ram'), disk: ratioOf('disk') };
}

/** `migrate_empty_ratio`: live compute nodes with an allocation ratio NULL or 0.0. */
export const migrateEmptyRatio: OnlineMigration = {
  name: 'migrate_empty_ratio',
  origin: 'nova',
  summary: 'give compute nodes their configured (else initial) allocation ratios where they are NULL or 0.0',
  checkSettings(setting: SettingReader): void {
    allocationRatios(setting);
  },
  async migrateCell(ctx: CellMigrationContext): Promise<void> {
    const { cellDb, counts } = ctx;
    const ratios = allocationRatios(ctx.setting);
    for (let after = 0; ; ) {
      const ids = await listNodesWithEmptyRatio(cellDb.db, after, EMPTY_RATIO_CHUNK);
      if (ids.length === 0) return;
      after = ids[ids.length - 1] as number;
      counts.found += ids.length;
      const granted = ctx.status ? 0 : ctx.budget.take(ids.length);
      counts.remaining += ids.length - granted;
      if (granted > 0) {
        const now = toDbTimestamp(ctx.now());
        const filled = await inTransaction(cellDb, (tx) => fillEmptyRatios(tx, ids.slice(0, granted), ratios, now), { retry: true });
        // A node another run filled meanwhile needs no migration any more: it was not found.
        counts.migrated += filled;
        counts.found -= granted - filled;
        ctx.budget.giveBack(granted - filled);
      }
      ctx.progress();
    }
  },
};
