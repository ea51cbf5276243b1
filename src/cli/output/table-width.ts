/**
 * How wide a table may be, decided as the OpenStack client (cliff) decides it: `--max-width N`
 * (or CLIFF_MAX_TERM_WIDTH) when above 0; else the terminal's width when fitting, which is on for
 * a terminal, with `--fit-width`, or with CLIFF_FIT_WIDTH=1; else no limit.
 */
import { InvalidOptionError } from '../../domain/errors';

/** The stream tables go to (stdout): a terminal has `isTTY` and its width in `columns`. */
export interface TableStream {
  isTTY?: boolean;
  columns?: number;
}

/** What the options and the environment say about the width of tables. */
export interface TableWidthSettings {
  /** `--max-width`, if given. */
  maxWidth?: number;
  /** `--fit-width`. */
  fitWidth: boolean;
}

const INTEGER = /^\s*[-+]?\d+\s*$/;

/**
 * Parses an integer option or variable (`--max-width`, CLIFF_MAX_TERM_WIDTH, CLIFF_FIT_WIDTH): any
 * integer, as cliff takes it. Throws InvalidOptionError naming `source` otherwise.
 */
export function parseWidthInteger(value: string, source: string): number {
  if (!INTEGER.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidOptionError(`${source} must be an integer (a number of columns; 0 for no limit), not '${value}'`);
  }
  return Number(value);
}

/**
 * The widest a table may be, in columns, or undefined for no limit. The terminal's width is
 * stdout's `columns` when it is a terminal, else the COLUMNS variable; when neither is known there
 * is nothing to fit to. Throws InvalidOptionError for a CLIFF_* variable that is not an integer.
 */
export function resolveTableWidth(settings: TableWidthSettings, stdout: TableStream, env: Record<string, string | undefined>): number | undefined {
  const fromEnv = (name: string): number => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? 0 : parseWidthInteger(value, name);
  };
  const maxWidth = settings.maxWidth ?? fromEnv('CLIFF_MAX_TERM_WIDTH');
  if (maxWidth > 0) return maxWidth;
  const fit = settings.fitWidth || fromEnv('CLIFF_FIT_WIDTH') !== 0 || stdout.isTTY === true;
  if (!fit) return undefined;
  return terminalWidth(stdout, env);
}

/** The terminal's width: stdout's `columns` on a terminal, else a positive COLUMNS, else undefined. */
export function terminalWidth(stdout: TableStream, env: Record<string, string | undefined>): number | undefined {
  if (stdout.isTTY === true && stdout.columns !== undefined && stdout.columns > 0) return stdout.columns;
  const columns = env.COLUMNS;
  if (columns !== undefined && /^\s*\d+\s*$/.test(columns) && Number(columns) > 0) return Number(columns);
  return undefined;
}
