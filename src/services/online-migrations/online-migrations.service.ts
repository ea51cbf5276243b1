/**
 * The online data migrations runner: every selected migration, in registry order, in the API
 * database and every cell database (cell0 included), cells in parallel. One cell's failure never
 * stops another; a migration that fails in a cell is reported and the cell's next migrations run.
 */
import type { Cell } from '../../domain/cell';
import { DatabaseAccessDeniedError, DatabaseClosedError, DatabaseMissingError, DatabaseUnreachableError, UnknownMigrationError, type CellctlError } from '../../domain/errors';
import { noCounts, type MigrationCounts, type MigrationName } from '../../domain/online-migrations';
import { isFailed } from '../../domain/outcome';
import { scatterCells } from '../cell-execution';
import { listCells, resolveCell } from '../cell-lookup.service';
import type { DatabaseContext } from '../database-context.service';
import type { Notice, RunEventSink } from '../run-events';
import { MigrationBudget, type CellMigrationContext, type OnlineMigration, type SettingReader } from './migration';
import { FUSED_MIGRATIONS, ONLINE_MIGRATIONS } from './registry';

/** How many cells migrate at once. */
export const ONLINE_MIGRATIONS_PARALLELISM = 2;

/** Options of runOnlineMigrations. */
export interface OnlineMigrationsOptions {
  /** One cell (name or UUID); without it, every cell, cell0 and disabled cells included. */
  cell?: string;
  /** The migrations to run (default: all), by name; run in registry order whatever the order given. */
  migrations?: string[];
  /** Migrate at most this many rows in this run, in total over migrations and cells. */
  maxCount?: number;
  /** Find and classify only; write nothing. */
  status?: boolean;
  /** A pause after each cell's migration, in milliseconds (to spread the load). */
  sleepMs?: number;
  /** The configuration's settings some migrations read. */
  setting: SettingReader;
  now?: () => Date;
  signal?: AbortSignal;
  /** Progress (`migration-progress` after each chunk) and each cell's start and end. */
  onEvent?: RunEventSink;
}

/** One migration's result in one cell (or, with `cell` null, for the rows that belong to no cell). */
export interface MigrationResult {
  migration: MigrationName;
  cell: Cell | null;
  status: 'ok' | 'failed' | 'timed-out' | 'skipped';
  /** What it found and wrote (all of it when `ok`; of a failure, only `migrated` is known). */
  counts: MigrationCounts;
  error?: CellctlError;
  /** True when the cell itself could not be worked on (unreachable, timed out, skipped), not the migration. */
  cellFailed: boolean;
  seconds: number;
}

/** What a run did: one result per migration and cell, in registry order then cell order. */
export interface OnlineMigrationsResult {
  migrations: MigrationName[];
  results: MigrationResult[];
  status: boolean;
}

/** Errors that mean a cell's database cannot be worked on at all (its other migrations are not tried). */
function unreachable(error: unknown): boolean {
  return (
    error instanceof DatabaseUnreachableError ||
    error instanceof DatabaseMissingError ||
    error instanceof DatabaseAccessDeniedError ||
    error instanceof DatabaseClosedError
  );
}

/**
 * The migrations named (all when `names` is undefined), in registry order. Throws
 * UnknownMigrationError for a name no migration has.
 */
export function selectMigrations(names?: string[]): OnlineMigration[] {
  if (names === undefined) return [...ONLINE_MIGRATIONS];
  const known = ONLINE_MIGRATIONS.map((m) => m.name);
  for (const name of names) if (!known.includes(name as MigrationName)) throw new UnknownMigrationError(name, known);
  return ONLINE_MIGRATIONS.filter((m) => names.includes(m.name));
}

/**
 * Runs the selected online data migrations over the API database and every cell (or one).
 * Throws UnknownMigrationError, InvalidSettingError and the lookup errors of resolveCell before
 * anything runs, and the API database's errors; a cell that fails or times out is reported in its
 * results.
 */
export async function runOnlineMigrations(dbs: DatabaseContext, options: OnlineMigrationsOptions): Promise<OnlineMigrationsResult> {
  const migrations = selectMigrations(options.migrations);
  for (const migration of migrations) migration.checkSettings?.(options.setting);
  const cells = options.cell !== undefined ? [await resolveCell(dbs, options.cell)] : await listCells(dbs);
  const api = await dbs.api();
  const now = options.now ?? (() => new Date());
  const status = Boolean(options.status);
  const budget = new MigrationBudget(options.maxCount ?? Number.POSITIVE_INFINITY);

  // Rows that belong to no cell are counted once, with the API database (only when every cell runs).
  const unmapped = new Map<MigrationName, MigrationResult>();
  if (options.cell === undefined) {
    for (const migration of migrations) {
      if (!migration.countUnmapped) continue;
      const started = performance.now();
      const counts = noCounts();
      await migration.countUnmapped({ api, counts });
      unmapped.set(migration.name, { migration: migration.name, cell: null, status: 'ok', counts, cellFailed: false, seconds: (performance.now() - started) / 1000 });
    }
  }

  // Migrations that share a walk, when all are selected and no --max-count orders the spending.
  const fusions = budget.unlimited ? FUSED_MIGRATIONS.filter((f) => f.names.every((name) => migrations.some((m) => m.name === name))) : [];

  // Each cell's counts as they grow, so that a cell failing part-way still reports what it wrote.
  const tallies = new Map<string, Map<MigrationName, MigrationResult>>();
  const finished = new Set<MigrationResult>();
  const outcomes = await scatterCells(
    dbs,
    cells,
    (cell, signal) =>
      dbs.withCell(cell, async (cellDb) => {
        const tally = new Map<MigrationName, MigrationResult>();
        tallies.set(cell.uuid, tally);
        for (const migration of migrations) {
          // Already migrated by a walk it shares with an earlier migration.
          if (tally.has(migration.name)) continue;
          const fusion = fusions.find((f) => f.names[0] === migration.name);
          const started = performance.now();
          const results = (fusion?.names ?? [migration.name]).map((name): MigrationResult => ({ migration: name, cell, status: 'ok', counts: noCounts(), cellFailed: false, seconds: 0 }));
          const notice = (n: Notice): void => options.onEvent?.({ type: 'notice', notice: n });
          const contexts = results.map((result): CellMigrationContext => {
            tally.set(result.migration, result);
            const progress = (): void => options.onEvent?.({ type: 'migration-progress', migration: result.migration, cell, counts: { ...result.counts } });
            return { cell, cellDb, api, status, budget, counts: result.counts, now, setting: options.setting, signal, progress, notice };
          });
          try {
            if (fusion) await fusion.migrateCell(contexts);
            else await migration.migrateCell(contexts[0] as CellMigrationContext);
          } catch (error) {
            if (signal.aborted || unreachable(error)) throw error;
            for (const result of results) Object.assign(result, { status: 'failed', error: error as CellctlError });
          }
          for (const result of results) {
            result.seconds = (performance.now() - started) / 1000;
            finished.add(result);
          }
          if (options.sleepMs) await new Promise((resolve) => setTimeout(resolve, options.sleepMs));
        }
      }),
    { concurrency: ONLINE_MIGRATIONS_PARALLELISM, signal: options.signal, onEvent: options.onEvent },
  );

  const results: MigrationResult[] = [];
  for (const migration of migrations) {
    const withoutCell = unmapped.get(migration.name);
    if (withoutCell) results.push(withoutCell);
    for (const outcome of outcomes) {
      const tallied = tallies.get(outcome.item.uuid)?.get(migration.name);
      if (tallied && finished.has(tallied)) {
        results.push(tallied);
        continue;
      }
      // The cell failed, timed out or was skipped before this migration finished there.
      results.push({
        migration: migration.name,
        cell: outcome.item,
        status: outcome.status === 'ok' ? 'failed' : outcome.status,
        counts: { ...noCounts(), migrated: tallied?.counts.migrated ?? 0 },
        ...(isFailed(outcome) && { error: outcome.error }),
        cellFailed: true,
        seconds: outcome.seconds,
      });
    }
  }
  return { migrations: migrations.map((m) => m.name), results, status };
}
