/**
 * Output formats and column specifications shared by every renderer (`-f` and `-c`).
 */
import { InvalidOptionError } from '../../domain/errors';

/** The values `-f/--format` accepts, as the OpenStack client spells them. */
export type OutputFormat = 'table' | 'json' | 'yaml' | 'value' | 'csv';

/** Every output format, in the order `--help` and error messages list them. */
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'yaml', 'value', 'csv'];

/** The values `--quote` accepts, as cliff's CSV formatter spells them: when a CSV field is quoted. */
export type CsvQuoteMode = 'all' | 'minimal' | 'none' | 'nonnumeric';

/** Every CSV quoting mode, in the order `--help` lists them; `nonnumeric` is the default, as in cliff. */
export const CSV_QUOTE_MODES: readonly CsvQuoteMode[] = ['all', 'minimal', 'none', 'nonnumeric'];

/** A value a renderer can print: strings, numbers, booleans, and null for an absent value. */
export type Scalar = string | number | boolean | null;

/** One column of a listing: its snake_case key (the JSON key) and an optional display header. */
export interface ColumnSpec {
  key: string;
  header?: string;
}

// NOTE: words printed all upper case in headers, as the OpenStack client prints them (`ID`, `UUID`).
const HEADER_ACRONYMS: ReadonlySet<string> = new Set([
  'api',
  'az',
  'cpu',
  'db',
  'gb',
  'id',
  'ip',
  'ipv4',
  'ipv6',
  'mb',
  'ram',
  'rpc',
  'tb',
  'url',
  'uuid',
  'vm',
]);

/**
 * Returns `-f`'s value as an OutputFormat; matching is case-insensitive.
 * Throws InvalidOptionError listing the valid formats otherwise.
 */
export function parseOutputFormat(s: string): OutputFormat {
  const wanted = s.trim().toLowerCase();
  const found = OUTPUT_FORMATS.find((format) => format === wanted);
  if (found === undefined) {
    throw new InvalidOptionError(
      `invalid output format '${s}': choose one of ${OUTPUT_FORMATS.join(', ')}`,
    );
  }
  return found;
}

/**
 * Returns the default display header of a snake_case key: title case, acronyms upper case
 * (`transport_url` -> `Transport URL`, `cell_uuid` -> `Cell UUID`).
 */
export function headerFor(key: string): string {
  return key
    .split(/[_\-\s]+/)
    .filter((word) => word.length > 0)
    .map((word) => {
      const lower = word.toLowerCase();
      if (HEADER_ACRONYMS.has(lower)) {
        return lower.toUpperCase();
      }
      return lower.charAt(0).toUpperCase() + lower.slice(1);
    })
    .join(' ');
}

/** Returns the header a column displays: its own header if set, else `headerFor(key)`. */
export function columnHeader(column: ColumnSpec): string {
  return column.header ?? headerFor(column.key);
}
