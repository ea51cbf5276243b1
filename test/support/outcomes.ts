/** Reading scatter outcomes in tests: the value of an ok outcome, the error of a failed one. */
import type { Outcome } from '../../src/services/cell-execution';

/** The value of an `ok` outcome, else undefined. */
export function valueOf<T>(outcome: Outcome<unknown, T>): T | undefined {
  return outcome.status === 'ok' ? outcome.value : undefined;
}

/** The error of a `failed` or `timed-out` outcome, else undefined. */
export function errorOf(outcome: Outcome<unknown, unknown>): Error | undefined {
  return outcome.status === 'failed' || outcome.status === 'timed-out' ? outcome.error : undefined;
}
