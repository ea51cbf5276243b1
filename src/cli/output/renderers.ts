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
import { columnHeader, type ColumnSpec, type OutputFormat, type Scalar } from './output-format';

/** How to render: the `-f` format and the `-c` values (empty or absent: every column). */
export interface RenderOptions {
  format: OutputFormat;
  select?: string[];
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
 * Renders a listing (`cell list`, `host list`...) in the requested format; every non-empty
 * output ends with one newline. Throws InvalidOptionError for a `-c` naming no column.
 */
export function renderList(rows: Row[], columns: ColumnSpec[], options: RenderOptions): string {
  const selected = selectColumns(columns, options.select);
  switch (options.format) {
    case 'table':
      return renderTable(
        selected.map(columnHeader),
        rows.map((row) => selected.map((column) => displayText(valueOf(row, column)))),
      );
    case 'json':
      return `${JSON.stringify(rows.map((row) => pick(row, selected)), null, 2)}\n`;
    case 'yaml':
      return renderYaml(rows.map((row) => pick(row, selected)));
    case 'value':
      return rows
        .map((row) => `${selected.map((column) => oneTerminalLine(displayText(valueOf(row, column)))).join(' ')}\n`)
        .join('');
    case 'csv':
      return renderCsv(selected, rows);
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
      );
    case 'json':
      return `${JSON.stringify(pick(row, selected), null, 2)}\n`;
    case 'yaml':
      return renderYaml(pick(row, selected));
    case 'value':
      return selected.map((column) => `${oneTerminalLine(displayText(valueOf(row, column)))}\n`).join('');
    case 'csv':
      return renderCsv(selected, [row]);
  }
}

/**
 * Renders a nested document (objects and arrays of scalars) as JSON or YAML, for results whose
 * shape is not a table (e.g. `cell ensure`'s list of changes). Other formats are the caller's.
 */
export function renderDocument(value: unknown, format: 'json' | 'yaml'): string {
  return format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : renderYaml(value);
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
    const wanted = name.trim().toLowerCase();
    const column =
      columns.find((c) => c.key.toLowerCase() === wanted) ??
      columns.find((c) => columnHeader(c).toLowerCase() === wanted);
    if (column === undefined) {
      throw new InvalidOptionError(
        `unknown column '${name}': valid columns are ${columns.map((c) => c.key).join(', ')}`,
      );
    }
    if (!chosen.includes(column)) {
      chosen.push(column);
    }
  }
  return chosen;
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

function renderTable(headers: string[], body: string[][]): string {
  const Table = tableLibrary();
  const table = new Table({
    head: headers,
    chars: TABLE_CHARS,
    style: { head: [], border: [] },
  });
  table.push(...body.map((cells) => cells.map(oneTerminalLine)));
  // NOTE: cli-table3 draws a rule between every row; keep the top rule, the rule under the
  // header and the bottom rule, as prettytable does (an empty table shows all three).
  const lines = table.toString().split('\n');
  const rules = lines.flatMap((line, index) => (RULE_LINE.test(line) ? [index] : []));
  const keep = new Set([rules[0], rules[1], rules[rules.length - 1]]);
  const kept = lines.filter((line, index) => !RULE_LINE.test(line) || keep.has(index));
  if (rules.length === 2) {
    kept.splice(kept.length - 1, 0, lines[rules[0]]);
  }
  return `${kept.join('\n')}\n`;
}

function renderCsv(columns: ColumnSpec[], rows: Row[]): string {
  const lines = [columns.map((column) => csvField(column.key))];
  for (const row of rows) {
    lines.push(columns.map((column) => csvField(valueOf(row, column))));
  }
  return lines.map((fields) => `${fields.join(',')}\n`).join('');
}

// NOTE: cliff's default `--quote nonnumeric`: strings quoted, numbers and booleans bare. Control
// bytes are escaped as in tables, line breaks too (CSV could quote them): one record a line, and
// nothing that reaches a terminal can move the cursor or recolour it. JSON and YAML keep the data.
function csvField(value: Scalar): string {
  if (typeof value === 'string') {
    return `"${oneTerminalLine(value).replace(/"/g, '""')}"`;
  }
  return displayText(value);
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
