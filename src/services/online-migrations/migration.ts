/**
 * What an online data migration is to the runner: a named step that migrates the candidate rows of
 * one cell in key order, chunk by chunk, adding what it finds and writes to the counts it is given
 * (so that a migration failing part-way still reports what it wrote).
 */
import type { ApiDatabase } from '../../db/api/api-tables.generated';
import type { CellDatabase } from '../../db/cell/cell-tables.generated';
import type { DatabaseHandle } from '../../db/connection';
import type { Cell } from '../../domain/cell';
import type { MigrationCounts, MigrationName } from '../../domain/online-migrations';
import type { Notice } from '../run-events';

/**
 * What --max-count leaves to migrate, shared by every migration and cell of a run. Taken
 * synchronously before each write, so cells migrating in parallel never overspend it.
 */
export class MigrationBudget {
  constructor(private left: number) {}

  /** Grants up to `wanted` rows (fewer once the budget runs low, 0 when it is spent). */
  take(wanted: number): number {
    const granted = Math.max(0, Math.min(wanted, this.left));
    this.left -= granted;
    return granted;
  }

  /** True when the run has no --max-count (nothing needs spending in registry order). */
  get unlimited(): boolean {
    return this.left === Number.POSITIVE_INFINITY;
  }

  /** Returns rows granted and not written (a concurrent run migrated them first). */
  giveBack(rows: number): void {
    this.left += rows;
  }
}

/** Settings a migration may read (`[DEFAULT] default_availability_zone`...), as configured. */
export type SettingReader = (group: string, option: string) => string | undefined;

/** What a migration works with while it runs in one cell. */
export interface CellMigrationContext {
  cell: Cell;
  cellDb: DatabaseHandle<CellDatabase>;
  api: DatabaseHandle<ApiDatabase>;
  /** --status: find and classify, write nothing (and take no budget). */
  status: boolean;
  budget: MigrationBudget;
  /** This migration's counts in this cell: add to them as chunks are found and written. */
  counts: MigrationCounts;
  now: () => Date;
  setting: SettingReader;
  signal: AbortSignal;
  /** Call after each chunk: reports the counts so far (progress on stderr). */
  progress: () => void;
  /** Reports a notice (as data; the front words it). */
  notice: (notice: Notice) => void;
}

/** What a migration works with for the rows that belong to no cell (read-only: they are unmigratable). */
export interface UnmappedMigrationContext {
  api: DatabaseHandle<ApiDatabase>;
  counts: MigrationCounts;
}

/** One online data migration. */
export interface OnlineMigration {
  name: MigrationName;
  /** `nova`: one of Nova 26's; `cellctl`: cellctl's own (Nova removed or never had it). */
  origin: 'nova' | 'cellctl';
  /** One line for --help and the documentation. */
  summary: string;
  /**
   * Checks the settings it reads before anything runs (called for each selected migration); throws
   * InvalidSettingError for a value it cannot use.
   */
  checkSettings?(setting: SettingReader): void;
  /** Migrates (or, with --status, counts) the candidates of one cell. */
  migrateCell(ctx: CellMigrationContext): Promise<void>;
  /** Counts the candidates that belong to no cell (instance mappings without one), when it has such. */
  countUnmapped?(ctx: UnmappedMigrationContext): Promise<void>;
}

/**
 * Migrations one walk serves together (registry order kept in `names`): used when the run selects
 * all of them and has no --max-count; each keeps its own counts, as its own walk would give them.
 */
export interface FusedMigrations {
  names: readonly MigrationName[];
  /** Migrates the candidates of one cell for every migration named, one context each, in `names` order. */
  migrateCell(ctxs: CellMigrationContext[]): Promise<void>;
}
