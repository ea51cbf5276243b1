import { isDriverError, translateDriverError } from '../db/dialect';
import { type Cell, describeCell } from '../domain/cell';
import { DEADLINE_PASSED, raceDeadline } from '../domain/deadline';
import { CellctlError, CellTimeoutError, UnexpectedError } from '../domain/errors';
import type { Outcome, OutcomeStatus } from '../domain/outcome';
import type { DatabaseContext } from './database-context.service';
import type { RunEvent } from './run-events';

export type { Outcome, OutcomeStatus } from '../domain/outcome';

/** Options of scatter. */
export interface ScatterOptions<I> {
  /** How many items run at once. */
  concurrency: number;
  /** Per-item deadline in milliseconds, counted from the item's start (none when undefined). */
  timeoutMs?: number;
  /** Cancels the scatter: items not started are skipped, running ones see their signal aborted. */
  signal?: AbortSignal;
  /** How errors and timeouts name an item (masked: no secrets). */
  describe: (item: I) => string;
  /** A reason to skip an item without running it, or undefined to run it. */
  skip?: (item: I) => string | undefined;
  /** Called once an item's deadline passed, to drop what it holds (its connections). */
  onTimeout?: (item: I) => Promise<void>;
  onStart?: (item: I) => void;
  onFinish?: (outcome: Outcome<I, unknown>) => void;
}

/**
 * Runs `work` for every item, at most `concurrency` at a time, each within its deadline, and
 * returns one outcome per item in input order. One item's failure or timeout never stops or
 * rolls back another's: errors become `failed` outcomes (driver errors typed, naming the item),
 * an item past its deadline is `timed-out` (its signal aborted and onTimeout called; the work is
 * left to fail on its own); work that stops because the scatter was cancelled (it throws its
 * signal's reason, as AbortSignal.throwIfAborted does) is `skipped`. Never throws.
 */
export async function scatter<I, T>(items: readonly I[], work: (item: I, signal: AbortSignal) => Promise<T>, options: ScatterOptions<I>): Promise<Array<Outcome<I, T>>> {
  const outcomes = new Array<Outcome<I, T>>(items.length);
  let next = 0;
  const runOne = async (item: I): Promise<Outcome<I, T>> => {
    const skipReason = options.signal?.aborted ? 'cancelled' : options.skip?.(item);
    if (skipReason !== undefined) return { item, status: 'skipped', reason: skipReason, seconds: 0 };
    options.onStart?.(item);
    const started = Date.now();
    const seconds = (): number => (Date.now() - started) / 1000;
    const controller = new AbortController();
    const cancel = (): void => controller.abort();
    options.signal?.addEventListener('abort', cancel);
    const finished = work(item, controller.signal).then(
      (value): Outcome<I, T> => ({ item, status: 'ok', value, seconds: seconds() }),
      (error: unknown): Outcome<I, T> =>
        controller.signal.aborted && error === controller.signal.reason
          ? { item, status: 'skipped', reason: 'cancelled', seconds: seconds() }
          : { item, status: 'failed', error: typed(error, options.describe(item)), seconds: seconds() },
    );
    try {
      if (options.timeoutMs === undefined) return await finished;
      const first = await raceDeadline(finished, options.timeoutMs);
      if (first !== DEADLINE_PASSED) return first;
      controller.abort();
      await options.onTimeout?.(item).catch(() => undefined);
      return { item, status: 'timed-out', error: new CellTimeoutError(options.describe(item), options.timeoutMs), seconds: seconds() };
    } finally {
      options.signal?.removeEventListener('abort', cancel);
    }
  };
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      outcomes[index] = await runOne(items[index]);
      options.onFinish?.(outcomes[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, options.concurrency), items.length) }, worker));
  return outcomes;
}

/** An error as an outcome carries it: cellctl's own as they are, a driver's typed, anything else wrapped. */
function typed(error: unknown, subject: string): CellctlError {
  if (error instanceof CellctlError) return error;
  if (isDriverError(error)) return translateDriverError(error, subject);
  return new UnexpectedError(error);
}

/** The outcome of the work for one cell. */
export type CellOutcome<T> = Outcome<Cell, T>;

/** Options of scatterCells. */
export interface ScatterCellsOptions {
  concurrency: number;
  /** Per-cell deadline in milliseconds; a cell past it is `timed-out` and its connections dropped. */
  timeoutMs?: number;
  signal?: AbortSignal;
  skip?: (cell: Cell) => string | undefined;
  onEvent?: (event: RunEvent) => void;
}

/**
 * scatter over cells (the role of Nova's scatter_gather_cells, with typed outcomes instead of
 * sentinels): the only loop over cells in cellctl's services. A cell that times out has its
 * database connections closed, so statements still running or waiting for a lock end at once.
 */
export async function scatterCells<T>(
  dbs: DatabaseContext,
  cells: readonly Cell[],
  work: (cell: Cell, signal: AbortSignal) => Promise<T>,
  options: ScatterCellsOptions,
): Promise<Array<CellOutcome<T>>> {
  return scatter(cells, work, {
    concurrency: options.concurrency,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    skip: options.skip,
    describe: (cell) => `cell ${describeCell(cell)}`,
    onTimeout: (cell) => dbs.dropCell(cell),
    onStart: (cell) => options.onEvent?.({ type: 'cell-started', cell }),
    onFinish: (outcome) => options.onEvent?.({ type: 'cell-finished', cell: outcome.item, outcome: summarize(outcome) }),
  });
}

/** An outcome without its value, as events and results name it. */
export interface OutcomeSummary {
  status: OutcomeStatus;
  error?: CellctlError;
  reason?: string;
  seconds: number;
}

/** The status, error or skip reason, and duration of an outcome. */
export function summarize(outcome: Outcome<unknown, unknown>): OutcomeSummary {
  switch (outcome.status) {
    case 'ok':
      return { status: 'ok', seconds: outcome.seconds };
    case 'skipped':
      return { status: 'skipped', reason: outcome.reason, seconds: outcome.seconds };
    default:
      return { status: outcome.status, error: outcome.error, seconds: outcome.seconds };
  }
}
