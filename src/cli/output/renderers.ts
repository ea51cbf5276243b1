/**
 * Renderers for listings and single objects in the five `-f` formats, with `-c` column selection.
 * They return strings; the command writes them to stdout.
 */
import type TableType from 'cli-table3';
import type * as YamlModule from 'yaml';

// NOTE: the table and YAML libraries load on first use, not at start-up: `cellctl --help` and
// most runs never need YAML, and start-up time is a target (docs/performance.md).
const tableLibrary = (): typeof TableType => require('cli-table3') as typeof TableType;
const yamlLibrary = (): typeof YamlModule => require('yaml') as typeof YamlModule;
import { InvalidOptionError } from '../../domain/errors';
import { oneTerminalLine } from './terminal-text';
import { columnHeader, type ColumnSpec, type CsvQuoteMode, type OutputFormat, type Scalar } from './output-format';

/**
 * How to render: the `-f` format, the `-c` values (empty or absent: every column), and the
 * OpenStack client's (cliff's) output options. Absent options keep cliff's defaults.
 */
export interface RenderOptions {
  format: OutputFormat;
  select?: string[];
  /** `--sort-column` (listings only): by key or header, the first given first; `descending` reverses. */
  sort?: { columns: string[]; descending: boolean };
  /** Tables: the widest a table may be, in columns (`--max-width`, `--fit-width`); absent, no limit. */
  maxWidth?: number;
  /** Tables: an empty listing prints its header (`--print-empty`); else nothing at all. */
  printEmpty?: boolean;
  /** JSON: all on one line (`--noindent`). */
  noIndent?: boolean;
  /** CSV: which fields are quoted (`--quote`); `nonnumeric` by default. */
  quote?: CsvQuoteMode;
  /** Receives a warning the renderer meets (a column it could not sort on). */
  onWarning?: (text: string) => void;
}

/** A row as renderers receive it: column key -> value. */
export type Row = Record<string, Scalar>;

// NOTE: plain ASCII borders, prettytable-like, so output is stable and greppable on any terminal.
const TABLE_CHARS = {
  top: '-',
  'top-mid': '+',
  'top-left': '+',
  'top-right': '+',
  bottom: '-',
  'bottom-mid': '+',
  'bottom-left': '+',
  'bottom-right': '+',
  left: '|',
  'left-mid': '+',
  mid: '-',
  'mid-mid': '+',
  right: '|',
  'right-mid': '+',
  middle: '|',
};

const RULE_LINE = /^\+[-+]*\+$/;

// NOTE: strings that YAML 1.1 readers (PyYAML, hence Ansible) would take for another type (`yes`,
// `on`, `1:20`, `2024-01-01 10:00:00`) are quoted too; YAML 1.2 ambiguities the yaml package
// quotes by itself. Longer strings cannot be 1.1 booleans, numbers or timestamps.
const YAML_11_CHECK_MAX_LENGTH = 64;

/**
 * Renders a listing (`cell list`, `host list`...) in the requested format, rows sorted first when
 * asked; every non-empty output ends with one newline, and an empty table is nothing unless
 * `printEmpty`. Throws InvalidOptionError for a `-c` or `--sort-column` naming no column.
 */
export function renderList(rows: Row[], columns: ColumnSpec[], options: RenderOptions): string {
  const selected = selectColumns(columns, options.select);
  const sorted = options.sort ? sortRows(rows, columns, options.sort, options.onWarning) : rows;
  switch (options.format) {
    case 'table':
      if (sorted.length === 0 && !options.printEmpty) return '';
      return renderTable(
        selected.map(columnHeader),
        sorted.map((row) => selected.map((column) => displayText(valueOf(row, column)))),
        options.maxWidth,
        LIST_MIN_WIDTH,
      );
    case 'json':
      return renderJson(sorted.map((row) => pick(row, selected)), options.noIndent);
    case 'yaml':
      return renderYaml(sorted.map((row) => pick(row, selected)));
    case 'value':
      return sorted
        .map((row) => `${selected.map((column) => oneTerminalLine(displayText(valueOf(row, column)))).join(' ')}\n`)
        .join('');
    case 'csv':
      return renderCsv(selected, sorted, options.quote ?? 'nonnumeric');
  }
}

/**
 * Renders one object (`cell show`...): a `Field | Value` table, one JSON object, one YAML
 * mapping, the values one per line, or a CSV header and row. Throws like renderList.
 */
export function renderObject(row: Row, columns: ColumnSpec[], options: RenderOptions): string {
  const selected = selectColumns(columns, options.select);
  switch (options.format) {
    case 'table':
      return renderTable(
        ['Field', 'Value'],
        selected.map((column) => [columnHeader(column), displayText(valueOf(row, column))]),
        options.maxWidth,
        OBJECT_MIN_WIDTH,
      );
    case 'json':
      return renderJson(pick(row, selected), options.noIndent);
    case 'yaml':
      return renderYaml(pick(row, selected));
    case 'value':
      return selected.map((column) => `${oneTerminalLine(displayText(valueOf(row, column)))}\n`).join('');
    case 'csv':
      return renderCsv(selected, [row], options.quote ?? 'nonnumeric');
  }
}

/**
 * Renders a nested document (objects and arrays of scalars) as JSON or YAML, for results whose
 * shape is not a table (e.g. `cell ensure`'s list of changes). Other formats are the caller's.
 */
export function renderDocument(value: unknown, format: 'json' | 'yaml', noIndent = false): string {
  return format === 'json' ? renderJson(value, noIndent) : renderYaml(value);
}

function renderJson(value: unknown, noIndent = false): string {
  return `${noIndent ? JSON.stringify(value) : JSON.stringify(value, null, 2)}\n`;
}

/**
 * Returns the columns `-c` selects, in the order given, each named by key or by header
 * (case-insensitive); all columns when `select` is empty. Throws InvalidOptionError otherwise.
 */
export function selectColumns(columns: ColumnSpec[], select?: string[]): ColumnSpec[] {
  if (select === undefined || select.length === 0) {
    return columns;
  }
  const chosen: ColumnSpec[] = [];
  for (const name of select) {
    const column = findColumn(columns, name, 'column');
    if (!chosen.includes(column)) {
      chosen.push(column);
    }
  }
  return chosen;
}

/** The column `name` gives, by key or by header (case-insensitive). Throws InvalidOptionError naming `what` otherwise. */
function findColumn(columns: ColumnSpec[], name: string, what: string): ColumnSpec {
  const wanted = name.trim().toLowerCase();
  const column =
    columns.find((c) => c.key.toLowerCase() === wanted) ?? columns.find((c) => columnHeader(c).toLowerCase() === wanted);
  if (column === undefined) {
    throw new InvalidOptionError(`unknown ${what} '${name}': valid columns are ${columns.map((c) => c.key).join(', ')}`);
  }
  return column;
}

/**
 * Rows sorted as cliff sorts them: by each column given, the first one deciding first, stable,
 * absent values last (first when descending), numbers and booleans by value, text by code point.
 * A column holding both text and numbers is left out with a warning, as cliff does. Unlike cliff,
 * a column that does not exist is an error (InvalidOptionError), not silently ignored.
 */
export function sortRows(rows: Row[], columns: ColumnSpec[], sort: { columns: string[]; descending: boolean }, onWarning?: (text: string) => void): Row[] {
  const keys = sort.columns.map((name) => findColumn(columns, name, '--sort-column').key);
  let sorted = rows;
  for (const key of [...keys].reverse()) {
    const kinds = new Set(rows.flatMap((row) => (row[key] === null || row[key] === undefined ? [] : [typeof row[key] === 'string' ? 'text' : 'number'])));
    if (kinds.size > 1) {
      onWarning?.(`could not sort on column '${key}': it holds both text and numbers`);
      continue;
    }
    const direction = sort.descending ? -1 : 1;
    sorted = [...sorted].sort((a, b) => direction * compareScalars(a[key] ?? null, b[key] ?? null));
  }
  return sorted;
}

function compareScalars(a: Scalar, b: Scalar): number {
  if (a === null || b === null) return (a === null ? 1 : 0) - (b === null ? 1 : 0);
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  return Number(a) - Number(b);
}

// NOTE: Python (hence cliff) compares text by code point; JavaScript's < compares UTF-16 code
// units, which puts U+E000-U+FFFF after the characters outside the BMP.
function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function valueOf(row: Row, column: ColumnSpec): Scalar {
  const value = row[column.key];
  return value === undefined ? null : value;
}

function pick(row: Row, columns: ColumnSpec[]): Row {
  const out: Row = {};
  for (const column of columns) {
    out[column.key] = valueOf(row, column);
  }
  return out;
}

// NOTE: Nova and the OpenStack client print Python booleans (`True`/`False`) in tables and values.
function displayText(value: Scalar): string {
  if (value === null) {
    return '';
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  return String(value);
}

// NOTE: cliff lets a table overflow rather than wrap a column narrower than 8 characters (16 in
// a Field/Value table, to keep the field names readable).
const LIST_MIN_WIDTH = 8;
const OBJECT_MIN_WIDTH = 16;

function renderTable(headers: string[], body: string[][], maxWidth: number | undefined, minWidth: number): string {
  const cells = body.map((row) => row.map(oneTerminalLine));
  const natural = drawTable(headers, cells);
  if (maxWidth === undefined || natural.firstLineWidth <= maxWidth) {
    return natural.text;
  }
  const widths = fitColumnWidths(natural.contentWidths, maxWidth, minWidth);
  return drawTable(headers, cells, widths).text;
}

/**
 * Draws a table with cli-table3, with fixed content widths when given (cells then wrap: on word
 * boundaries when every word fits, else anywhere, so a long URL wraps rather than being cut).
 * Returns the text, the width of its first line and each column's content width.
 */
function drawTable(headers: string[], cells: string[][], widths?: number[]): { text: string; firstLineWidth: number; contentWidths: number[] } {
  const Table = tableLibrary();
  const cell = (content: string, column: number): string | TableType.CellOptions =>
    widths === undefined ? content : { content, wrapOnWordBoundary: longestWord(content) <= widths[column] };
  const table = new Table({
    head: headers.map(cell) as string[],
    chars: TABLE_CHARS,
    style: { head: [], border: [] },
    ...(widths === undefined ? {} : { colWidths: widths.map((w) => w + CELL_PADDING), wordWrap: true }),
  });
  table.push(...cells.map((row) => row.map(cell)));
  // NOTE: cli-table3 draws a rule between every row; keep the top rule, the rule under the
  // header and the bottom rule, as prettytable does (an empty table shows all three).
  const lines = table.toString().split('\n');
  const rules = lines.flatMap((line, index) => (RULE_LINE.test(line) ? [index] : []));
  const keep = new Set([rules[0], rules[1], rules[rules.length - 1]]);
  const kept = lines.filter((line, index) => !RULE_LINE.test(line) || keep.has(index));
  if (rules.length === 2) {
    kept.splice(kept.length - 1, 0, lines[rules[0]]);
  }
  const top = lines[0] ?? '';
  return {
    text: `${kept.join('\n')}\n`,
    firstLineWidth: top.length,
    contentWidths: top.split('+').slice(1, -1).map((segment) => Math.max(0, segment.length - CELL_PADDING)),
  };
}

/** One space either side of a cell's content, as prettytable pads. */
const CELL_PADDING = 2;

function longestWord(text: string): number {
  return text.split(/\s+/).reduce((n, word) => Math.max(n, word.length), 0);
}

/**
 * The content width of each column so that the table is at most `maxWidth` wide (borders and
 * padding take 3 per column plus 1), as cliff fits: columns narrower than an equal share keep
 * their width, the others share what is left, none narrower than `minWidth` (so a table of many
 * columns may still overflow). Unlike cliff, a column never gets more than it needs: the share
 * it leaves goes to the wider ones.
 */
export function fitColumnWidths(natural: number[], maxWidth: number, minWidth: number): number[] {
  const widths = [...natural];
  let available = Math.max(0, maxWidth - 1 - 3 * natural.length);
  const narrowestFirst = natural.map((width, index) => ({ width, index })).sort((a, b) => a.width - b.width);
  narrowestFirst.forEach(({ width, index }, position) => {
    const share = Math.floor(available / (natural.length - position));
    widths[index] = Math.min(width, Math.max(minWidth, share));
    available = Math.max(0, available - widths[index]);
  });
  return widths;
}

function renderCsv(columns: ColumnSpec[], rows: Row[], quote: CsvQuoteMode): string {
  const lines = [columns.map((column) => csvField(column.key, quote))];
  for (const row of rows) {
    lines.push(columns.map((column) => csvField(valueOf(row, column), quote)));
  }
  // NOTE: as Python's csv writer does, a record of one empty field is written "" (an empty line would read as no record); --quote none cannot.
  return lines.map((fields) => `${fields.length === 1 && fields[0] === '' && quote !== 'none' ? '""' : fields.join(',')}\n`).join('');
}

// NOTE: cliff's --quote modes (Python's csv quoting): `nonnumeric` (the default) quotes text and
// leaves numbers and booleans bare; `all` quotes every field; `minimal` only fields holding a
// comma or a quote; `none` quotes nothing and escapes commas, quotes and backslashes with a
// backslash (cliff's escapechar). An absent value is an empty field, quoted only by `all`.
// Control bytes are escaped as in tables, line breaks too: one record a line, and nothing that
// reaches a terminal can move the cursor or recolour it. JSON and YAML keep the data.
function csvField(value: Scalar, quote: CsvQuoteMode): string {
  if (value === null) {
    return quote === 'all' ? '""' : '';
  }
  const text = typeof value === 'string' ? oneTerminalLine(value) : displayText(value);
  const quoted = `"${text.replace(/"/g, '""')}"`;
  switch (quote) {
    case 'all':
      return quoted;
    case 'nonnumeric':
      return typeof value === 'string' ? quoted : text;
    case 'minimal':
      return /[",]/.test(text) ? quoted : text;
    case 'none':
      return text.replace(/[\\",]/g, '\\$&');
  }
}

function renderYaml(data: unknown): string {
  const { Document, visit } = yamlLibrary();
  const doc = new Document(data);
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && misreadByYaml11(node.value)) {
        node.type = 'QUOTE_DOUBLE';
      }
    },
  });
  return doc.toString({ lineWidth: 0 });
}

function misreadByYaml11(text: string): boolean {
  if (text.length > YAML_11_CHECK_MAX_LENGTH || text.includes('\n')) {
    return false;
  }
  const parsed = yamlLibrary().parseDocument(text, { version: '1.1' });
  if (parsed.errors.length > 0 || parsed.warnings.length > 0) {
    return false;
  }
  return parsed.toJS() !== text;
}

/**
 * Refuses (InvalidOptionError) a `-c` or `--sort-column` name that none of `columns` has: checked
 * before a command runs, so that a command that writes never writes and then refuses its output.
 */
export function checkColumnNames(columns: ColumnSpec[], select: readonly string[], sort: readonly string[]): void {
  for (const name of select) findColumn(columns, name, 'column');
  for (const name of sort) findColumn(columns, name, '--sort-column');
}
