/**
 * The outcome of work done for one item (a cell, a database) of a scatter, as every front reads
 * it: a value, or why there is none. Plain data; the scatter itself is in services.
 */
import type { CellctlError, CellTimeoutError } from './errors';

/** How the work for one item ended. */
export type OutcomeStatus = 'ok' | 'failed' | 'timed-out' | 'skipped';

/** The outcome for one item: its value, or why there is none. */
export type Outcome<I, T> =
  | { item: I; status: 'ok'; value: T; seconds: number }
  | { item: I; status: 'failed'; error: CellctlError; seconds: number }
  | { item: I; status: 'timed-out'; error: CellTimeoutError; seconds: number }
  | { item: I; status: 'skipped'; reason: string; seconds: number };

/** An outcome whose work failed or ran out of time. */
export type FailedOutcome<I> = Extract<Outcome<I, never>, { status: 'failed' | 'timed-out' }>;

/** True for an outcome that failed or timed out (and so carries an error). */
export function isFailed<I, T>(outcome: Outcome<I, T>): outcome is Outcome<I, T> & FailedOutcome<I> {
  return outcome.status === 'failed' || outcome.status === 'timed-out';
}

/** The value of an `ok` outcome; otherwise throws its error (or, when skipped, an error naming why). */
export function valueOrThrow<T>(outcome: Outcome<unknown, T>): T {
  if (outcome.status === 'ok') return outcome.value;
  throw isFailed(outcome) ? outcome.error : new Error(`skipped: ${outcome.reason}`);
}
