import type { Command } from 'commander';
import { exitCodesOf } from './command-kit';
import { COMMON_EXIT_CODES } from './exit-codes';

function leaves(command: Command, path: string[] = []): Array<{ path: string[]; command: Command }> {
  const here = [...path, command.name()];
  if (command.commands.length === 0) return [{ path: here, command }];
  // Every group has a `help`: the reference shows the program's only.
  const subs = path.length > 0 ? command.commands.filter((sub) => sub.name() !== 'help') : command.commands;
  return subs.flatMap((sub) => leaves(sub, here));
}

function optionLines(command: Command): string[] {
  return command.options.map((o) => `- \`${o.flags}\`: ${o.description}${o.defaultValue !== undefined && !Array.isArray(o.defaultValue) ? ` (default: ${String(o.defaultValue)})` : ''}`);
}

/**
 * Renders docs/commands.md from the program itself: every command with its usage, options and
 * exit codes, from the same tables --help prints, so the document cannot drift from the code.
 */
export function renderCommandReference(program: Command): string {
  const out = [
    '# Command reference',
    '',
    '<!-- Generated from the program by test/unit/command-reference.test.ts (CELLCTL_UPDATE_DOCS=1 rewrites it). -->',
    '',
    'Every command accepts the global options; every command that writes accepts `--dry-run`.',
    '',
    'In `-f table`, `value` and `csv` output, control bytes in the data (C0, DEL, C1: a newline, an escape',
    'sequence), line separators and bidirectional controls are shown escaped (`\\n`, `\\e`, `\\x07`, `\\u202e`),',
    'one record a line; `json` and `yaml` keep the data as it is.',
    '',
    "The OpenStack client's (cliff's) output options work as they do there. Tables fit the terminal when stdout is",
    'one, and fit `$COLUMNS` with `--fit-width` or `CLIFF_FIT_WIDTH=1`; `--max-width N` (or `CLIFF_MAX_TERM_WIDTH`)',
    'fits N columns anywhere. A column narrower than an equal share keeps its width, the others wrap (on spaces',
    'where the words fit, anywhere in a long URL), none below 8 characters (16 in a `Field | Value` table), so a',
    'table of many columns can still overflow. `--sort-column` sorts a listing before `-c` picks columns (absent',
    'values last, numbers by value, text by code point); unlike cliff, a column that does not exist is refused (127).',
    'An empty listing prints nothing in table format unless `--print-empty`. `--noindent` prints JSON on one line.',
    '`--quote` (CSV): `nonnumeric` (default) quotes text, `all` every field, `minimal` fields with a comma or a quote,',
    '`none` nothing (a comma, quote or backslash is escaped with a backslash); an absent value is an empty field.',
    '',
    '`db version` is a listing in every form (`-f json`: an array, one row for one database, with null `cell` and',
    '`cell_uuid` for the configured `[database]`); it used to print one object for one database.',
    '',
    `Exit codes ${COMMON_EXIT_CODES.map((c) => c.code).join(', ').replace(/, (\d+)$/, ' and $1')} mean the same for every command:`,
    '',
    ...COMMON_EXIT_CODES.map((c) => `- **${c.code}**: ${c.meaning}`),
    '',
    '## Results per cell',
    '',
    'Every command that reports per cell (or per database) gives each one a row, in every output format,',
    'whether its work finished or not; a cell that failed is never shown as zeros.',
    '',
    '| command | outcome key | values | `error` key |',
    '|---|---|---|---|',
    "| `map-instances` | `status` | `ok`, `failed`, `timed-out`, `skipped` (counts of a cell not `ok` are null; `mapped` is what it inserted before it failed) | the masked reason, null when `ok` |",
    "| `db version`, `api-db version` | `status` | `current`, `empty`, `other-revision`, `legacy`, `unstamped`, `incomplete` when read; `failed`, `timed-out` when not | as above |",
    "| `db sync`, `api-db sync` | `action` | `created`, `completed` (the database held an empty part of Nova's schema, as a sync killed part-way leaves it), `unchanged`, `would-create`, `would-complete`, `refused`; `failed`, `timed-out`, `skipped` | as above |",
    "| `simple-cell-setup` | `status` | `ok` for cell0; for the cell, how discovering its hosts ended: `ok`, `failed`, `timed-out` | as above |",
    "| `host discover` | `status` | `ok` for each host mapped (also when its cell failed afterwards: its mapping is written); one row with `host` null per cell that failed: `failed`, `timed-out` | as above |",
    '',
    '`failed`: the cell\'s database could not be reached, refused access, was locked past `--lock-timeout`, or a',
    'statement failed. `timed-out`: the cell did not finish within `--cell-timeout`; its connections were',
    'closed. `skipped`: the run was cancelled before the cell started. `failed` and `timed-out` make the exit code 255.',
    '',
    '## Global options',
    '',
    ...optionLines(program),
    '',
  ];
  for (const { path, command } of leaves(program)) {
    if (path.length === 1) continue;
    out.push(`## \`${path.join(' ')}\``, '', command.description(), '', '```', `${path.join(' ')} ${command.usage()}`, '```', '');
    const options = optionLines(command);
    if (options.length) out.push('Options:', '', ...options, '');
    out.push('| exit code | meaning |', '|---|---|');
    for (const c of exitCodesOf(command)) out.push(`| ${c.code} | ${c.meaning} |`);
    out.push('');
  }
  return `${out.join('\n')}`;
}
