/** Reading scatter outcomes in tests: the value of an ok outcome, the error of a failed one. */
import { isFailed, type Outcome } from '../../src/domain/outcome';

/** The value of an `ok` outcome, else undefined. */
export function valueOf<T>(outcome: Outcome<unknown, T>): T | undefined {
  return outcome.status === 'ok' ? outcome.value : undefined;
}

/** The error of a `failed` or `timed-out` outcome, else undefined. */
export function errorOf(outcome: Outcome<unknown, unknown>): Error | undefined {
  return isFailed(outcome) ? outcome.error : undefined;
}
