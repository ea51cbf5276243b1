import { Command, Option } from 'commander';
import { describeCell } from '../../../domain/cell';
import { ConflictingOptionsError } from '../../../domain/errors';
import { unmigratableTotal, type MigrationName } from '../../../domain/online-migrations';
import type { MigrationResult } from '../../../services/online-migrations/online-migrations.service';
import type { Notice, RunEvent } from '../../../services/run-events';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import { EXIT_ENVIRONMENT } from '../../exit-codes';
import { cellOption, maxCountOption, secondsParser } from '../../modern/options';
import type { ColumnSpec } from '../../output/output-format';
import type { Row } from '../../output/renderers';
import { createProgress } from '../../output/progress-reporter';

/**
 * The summary columns (one row per migration, over every cell): `total_needed` is what this run
 * found (migrated + remaining + unmigratable), `completed` what it migrated. A migration that failed
 * or could not run in some cell has `status` failed and null counts but `completed`.
 */
export const MIGRATION_SUMMARY_COLUMNS: ColumnSpec[] = [
  { key: 'migration' },
  { key: 'total_needed' },
  { key: 'completed' },
  { key: 'remaining' },
  { key: 'unmigratable' },
  { key: 'status' },
];

/**
 * The per-cell columns (--per-cell, and `cells` of each JSON/YAML summary object): `cell` null is
 * the API database's rows that belong to no cell. A row not `ok` has null counts but `migrated`
 * (what it wrote before failing), and its `error`. `unmigratable_reasons` is an object
 * `{reason: count}` in JSON and YAML (`{}` when none), a string `reason=n,...` in table, CSV and
 * value (empty when none); null on a row not `ok`.
 */
export const MIGRATION_CELL_COLUMNS: ColumnSpec[] = [
  { key: 'migration' },
  { key: 'cell' },
  { key: 'cell_uuid' },
  { key: 'status' },
  { key: 'found' },
  { key: 'migrated' },
  { key: 'remaining' },
  { key: 'unmigratable' },
  { key: 'unmigratable_reasons' },
  { key: 'seconds' },
  { key: 'error' },
];

/** --max-count stopped the run with migratable rows left (--status: migratable rows exist). */
const EXIT_MORE_TO_MIGRATE = 1;
/** A migration raised in some cell (the others still ran). */
const EXIT_MIGRATION_FAILED = 2;

interface Flags {
  cell?: string;
  migration?: string[];
  maxCount?: number;
  status?: boolean;
  sleep?: number;
  perCell?: boolean;
}

/** `cellctl online-data-migrations`: Nova's online data migrations over the API database and every cell. */
export function onlineDataMigrationsCommand(ctx: CliContext): Command {
  const command = new Command('online-data-migrations')
    .description(
      "run the online data migrations over the API database and every cell database (cell0 included), cells in parallel, " +
        'candidates in key order; rows that can never be migrated are counted once and never block the others',
    )
    .addOption(cellOption('only this cell'))
    .addOption(new Option('--migration <name>', 'run only this migration (repeatable; they run in registry order)').argParser(collect))
    .addOption(maxCountOption('migrate at most N rows in this run, in total over migrations and cells; exit 1 while more remain'))
    .option('--status', 'count what would be migrated and what never can be; write nothing')
    .addOption(new Option('--sleep <seconds>', "pause after each migration in each cell").argParser(secondsParser('--sleep')))
    .option('--per-cell', 'also print one row per migration and cell (JSON and YAML always nest them, with unmigratable_reasons as {reason: count}; the other formats print it as reason=n,...)');
  declareColumns(command, MIGRATION_SUMMARY_COLUMNS, MIGRATION_CELL_COLUMNS);
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'nothing migratable remains (rows that never can be may remain: they are counted as unmigratable)' },
      { code: EXIT_MORE_TO_MIGRATE, meaning: '--max-count stopped the run with migratable rows left (with --status: migratable rows exist): run it again' },
      { code: EXIT_MIGRATION_FAILED, meaning: 'a migration failed in a cell (its row names it, with the error; the other migrations and cells ran)' },
      { code: 127, meaning: 'invalid input: a bad --max-count or --sleep, an unknown --migration, an unknown or ambiguous cell, --status with --max-count, an allocation ratio setting migrate_empty_ratio cannot use' },
      { code: EXIT_ENVIRONMENT, meaning: 'the API database, or a cell database, could not be reached (its rows say failed or timed-out; the other cells ran)' },
    ],
    async (flags: Flags) => {
      if (flags.status && flags.maxCount !== undefined) {
        throw new ConflictingOptionsError('--status counts everything: it cannot be combined with --max-count');
      }
      const { runOnlineMigrations, selectMigrations } = await ctx.services();
      selectMigrations(flags.migration);
      const dbs = await ctx.databases();
      const config = ctx.config();

      const progress = createProgress({ stream: ctx.io.stderr, quiet: ctx.globals.quiet, label: flags.status ? 'counting' : 'migrating', env: ctx.io.env });
      const latest = new Map<string, { found: number; migrated: number }>();
      const kept: Array<Extract<Notice, { kind: 'api-value-kept' }>> = [];
      const onEvent = (event: RunEvent): void => {
        if (event.type === 'notice' && event.notice.kind === 'api-value-kept') kept.push(event.notice);
        if (event.type === 'notice' && event.notice.kind === 'instance-groups-already-in-api') {
          const { cell, groups, status } = event.notice;
          ctx.notice(
            `${groups.length} instance group(s) of cell ${describeCell(cell)} already in the API database ${status ? 'would be' : 'were'} kept as they are there; ` +
              `the cell copies ${status ? 'would be' : 'were'} soft-deleted, not merged: ${groups.join(', ')}`,
          );
        }
        if (event.type !== 'migration-progress') return;
        latest.set(`${event.migration}|${event.cell.uuid}`, event.counts);
        const found = [...latest.values()].reduce((n, c) => n + c.found, 0);
        const migrated = [...latest.values()].reduce((n, c) => n + c.migrated, 0);
        // NOTE: the rows to examine are not known in advance, so no percentage: the counts say
        // what was found, and how much of --max-count is spent.
        const budget = flags.maxCount === undefined ? '' : ` of at most ${flags.maxCount} (--max-count)`;
        progress.update(found, undefined, `${migrated}${budget} migrated; ${event.migration} in cell ${describeCell(event.cell)}`);
      };
      let result;
      try {
        result = await runOnlineMigrations(dbs, {
          cell: flags.cell,
          migrations: flags.migration,
          maxCount: flags.maxCount,
          status: flags.status,
          sleepMs: flags.sleep === undefined ? undefined : flags.sleep * 1000,
          setting: (group, option) => config.get(group, option),
          onEvent,
        });
      } catch (error) {
        progress.stop();
        throw error;
      }

      const failed = result.results.filter((r) => r.status !== 'ok');
      const migrated = result.results.reduce((n, r) => n + r.counts.migrated, 0);
      const remaining = result.results.reduce((n, r) => n + (r.status === 'ok' ? r.counts.remaining : 0), 0);
      const summary = result.status ? `${remaining} row(s) to migrate; status only, nothing written` : `migrated ${migrated} row(s); ${remaining} left to migrate`;
      if (failed.length) progress.fail(`${summary}; ${failed.length} migration(s) failed in a cell`);
      else progress.succeed(summary);
      for (const r of failed) if (r.error) ctx.error(r.error, `${r.migration} in cell ${r.cell ? describeCell(r.cell) : '(none)'}: `);
      for (const n of kept) ctx.warn(keptApiValuesText(n));

      const groupsMoved = result.results.filter((r) => r.migration === 'migrate_instance_groups_to_api_db').reduce((n, r) => n + r.counts.migrated, 0);
      if (groupsMoved > 0) {
        ctx.notice(`${groupsMoved} legacy instance group(s) are now soft-deleted in their cell databases; Nova's archive_deleted_rows skips those tables, so the rows stay`);
      }
      printResults(ctx, result.migrations, result.results, Boolean(flags.perCell));
      if (failed.some((r) => r.cellFailed)) return EXIT_ENVIRONMENT;
      if (failed.length) return EXIT_MIGRATION_FAILED;
      return remaining > 0 ? EXIT_MORE_TO_MIGRATE : 0;
    },
  );
}

/** The warning for cell values a quota migration found the API database holding otherwise (it kept the API's). */
function keptApiValuesText(n: Extract<Notice, { kind: 'api-value-kept' }>): string {
  const rows = n.examples.map((k) => {
    const key = Object.entries(k.key).map(([column, value]) => `${column} ${value ?? 'NULL'}`).join(', ');
    return `${k.table} id ${k.cellId} (${key}): cell ${k.cellLimit ?? 'NULL'}, API ${k.apiLimit ?? 'NULL'}`;
  });
  const more = n.count > n.examples.length ? `; and ${n.count - n.examples.length} more` : '';
  return (
    `${n.migration} in cell ${describeCell(n.cell)}: the API database already held ${n.count} of the cell's values with another value; ` +
    `kept the API's (Nova reads it first), the cell rows are soft-deleted: ${rows.join('; ')}${more}`
  );
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The per-cell row of one result (`document`: for JSON and YAML, which take `unmigratable_reasons` as an object). */
function cellRow(ctx: CliContext, r: MigrationResult, document = false): Row | Record<string, unknown> {
  const ok = r.status === 'ok';
  const reasons = Object.entries(r.counts.unmigratable);
  return {
    migration: r.migration,
    cell: r.cell?.name ?? null,
    cell_uuid: r.cell?.uuid ?? null,
    status: r.status,
    found: ok ? r.counts.found : null,
    migrated: r.counts.migrated,
    remaining: ok ? r.counts.remaining : null,
    unmigratable: ok ? unmigratableTotal(r.counts) : null,
    unmigratable_reasons: !ok ? null : document ? Object.fromEntries(reasons) : reasons.map(([reason, n]) => `${reason}=${n}`).join(',') || null,
    seconds: Math.round(r.seconds * 1000) / 1000,
    error: r.error ? ctx.outcomeError({ item: null, status: 'failed', error: r.error, seconds: r.seconds }) : null,
  };
}

/** The summary row of one migration over every cell. */
function summaryRow(migration: MigrationName, results: MigrationResult[]): Row {
  const complete = results.every((r) => r.status === 'ok');
  const sum = (count: (r: MigrationResult) => number): number | null => (complete ? results.reduce((n, r) => n + count(r), 0) : null);
  return {
    migration,
    total_needed: sum((r) => r.counts.found),
    completed: results.reduce((n, r) => n + r.counts.migrated, 0),
    remaining: sum((r) => r.counts.remaining),
    unmigratable: sum((r) => unmigratableTotal(r.counts)),
    status: complete ? 'ok' : 'failed',
  };
}

/**
 * Prints the summary (sorted by name, as Nova's table) in every format; JSON and YAML nest each
 * migration's per-cell rows under `cells`; --per-cell adds a second table, or, in the value and CSV
 * formats, prints the per-cell rows instead of the summary.
 */
function printResults(ctx: CliContext, migrations: MigrationName[], results: MigrationResult[], perCell: boolean): void {
  const names = [...migrations].sort();
  const of = (name: MigrationName) => results.filter((r) => r.migration === name);
  const format = ctx.globals.format;
  if (format === 'json' || format === 'yaml') {
    ctx.printDocument(names.map((name) => ({ ...summaryRow(name, of(name)), cells: of(name).map((r) => cellRow(ctx, r, true)) })));
    return;
  }
  const cellRows = names.flatMap((name) => of(name).map((r) => cellRow(ctx, r) as Row));
  if (perCell && format !== 'table') {
    ctx.printList(cellRows, MIGRATION_CELL_COLUMNS);
    return;
  }
  ctx.printList(names.map((name) => summaryRow(name, of(name))), MIGRATION_SUMMARY_COLUMNS);
  if (perCell) ctx.printList(cellRows, MIGRATION_CELL_COLUMNS);
}
