import { InvalidArgumentError, Option } from 'commander';
import { ConflictingOptionsError } from '../../domain/errors';

/**
 * The options several modern commands share, defined once: each with its parser, so a bad value
 * is refused by commander (one line, exit 127) before any work starts.
 */

/** The longest wait a timer can hold: 2^31-1 milliseconds, about 24.8 days. */
export const MAX_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/**
 * A parser of a number of seconds (fractions allowed) from `min` (default 0) to MAX_SECONDS:
 * Node's timers take a longer one as 1 ms.
 */
export function secondsParser(flag: string, min = 0): (value: string) => number {
  return (value) => {
    if (!/^\s*\d+(\.\d+)?\s*$/.test(value) || Number(value) < min || Number(value) > MAX_SECONDS) {
      throw new InvalidArgumentError(`${flag} must be a number of seconds from ${min} to ${MAX_SECONDS} (24 days), not '${value}'`);
    }
    return Number(value);
  };
}

/** A parser of a positive integer (Nova refuses 0 and negative counts too). */
export function positiveIntegerParser(flag: string): (value: string) => number {
  return (value) => {
    // NOTE: past 2^53 a number no longer counts one by one (99999999999999999999 would be 1e20).
    if (!/^\s*\d+\s*$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
      throw new InvalidArgumentError(`${flag} must be a positive integer up to ${Number.MAX_SAFE_INTEGER}, not '${value}'`);
    }
    return Number(value);
  };
}

/**
 * A parser that refuses an empty or blank value (`--host ''` would look up a host named '' and
 * report it in words that read wrong) with `<label> must name <what>`, and returns it as given.
 */
export function nonBlankParser(label: string, what: string): (value: string) => string {
  return (value) => {
    if (value.trim() === '') throw new InvalidArgumentError(`${label} must name ${what}, not '${value}'`);
    return value;
  };
}

/** Parses a cell given by name or UUID (`--cell`, `<cell>`): refuses an empty or blank one. */
export const cellParser = (label: string): ((value: string) => string) => nonBlankParser(label, 'a cell (its name or UUID)');

/** `--cell NAME|UUID`. */
export function cellOption(description: string): Option {
  return new Option('--cell <name-or-uuid>', description).argParser(cellParser('--cell'));
}

/** `--all-cells`. */
export function allCellsOption(description: string): Option {
  return new Option('--all-cells', description);
}

/** `--max-count N`, a positive integer. */
export function maxCountOption(description: string): Option {
  return new Option('--max-count <n>', description).argParser(positiveIntegerParser('--max-count'));
}

/** `--dry-run`. */
export function dryRunOption(description = 'report what would be done and write nothing'): Option {
  return new Option('--dry-run', description);
}

/** Nova's CELL_TIMEOUT: how long a read across cells waits for one cell, by default. */
export const DEFAULT_CELL_TIMEOUT_SECONDS = 60;

/** `--cell-timeout S`: the deadline of each cell of a read-only command over several cells. */
export function cellTimeoutOption(): Option {
  return new Option('--cell-timeout <seconds>', 'give up on a cell that has not answered after this many seconds (it is reported timed-out; the others are not held up)')
    .argParser(secondsParser('--cell-timeout', 0.001))
    .default(DEFAULT_CELL_TIMEOUT_SECONDS);
}

/** Refuses `--cell` with `--all-cells`; with `required`, also neither of them. Throws ConflictingOptionsError. */
export function checkCellSelection(options: { cell?: string; allCells?: boolean }, required = false): void {
  if (options.cell !== undefined && options.allCells) throw new ConflictingOptionsError('--cell and --all-cells cannot be combined');
  if (required && options.cell === undefined && !options.allCells) throw new ConflictingOptionsError('give exactly one of --cell and --all-cells');
}

/** A parser of an integer from `min` to `max` (both included). */
export function integerParser(flag: string, min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\s*\d+\s*$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`${flag} must be an integer from ${min} to ${max}, not '${value}'`);
    }
    return Number(value);
  };
}
