import { Command } from 'commander';
import { describeCell } from '../../../domain/cell';
import { isFailed } from '../../../domain/outcome';
import type { RunEvent } from '../../../services/run-events';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import { EXIT_ENVIRONMENT } from '../../exit-codes';
import { allCellsOption, cellOption, checkCellSelection, dryRunOption, maxCountOption } from '../../modern/options';
import type { ColumnSpec } from '../../output/output-format';
import { createProgress } from '../../output/progress-reporter';

/**
 * The result columns of map-instances (a public contract: docs/commands.md). A cell that failed or
 * timed out has `status` failed/timed-out, its `error`, `mapped` what it inserted before failing,
 * and null counts where nothing is known (never zeros).
 */
export const MAP_INSTANCES_COLUMNS: ColumnSpec[] = [
  { key: 'cell' },
  { key: 'cell_uuid' },
  { key: 'status' },
  { key: 'found' },
  { key: 'mapped' },
  { key: 'remaining' },
  { key: 'seconds' },
  { key: 'error' },
];

/** The counts of a map-instances run so far, over the cells that started. */
export interface MappingProgressCounts {
  /** Instance rows examined, of `toExamine` (every row of the cells, hidden ones included). */
  examined: number;
  toExamine: number;
  /** Unmapped instances found, and mappings written. */
  found: number;
  mapped: number;
}

/**
 * What map-instances' progress shows: the rows examined, except under a --max-count smaller than
 * the rows to examine, where the work to do is the mappings to write (at most the budget, at most
 * what is found or still unexamined); once the budget is spent the run goes on only to count what
 * is left, and says so.
 */
export function mappingProgress(c: MappingProgressCounts, options: { maxCount?: number; dryRun?: boolean }): { label: string; done: number; total: number; detail: string } {
  if (options.dryRun) return { label: 'counting', done: c.examined, total: c.toExamine, detail: `${c.found} unmapped` };
  const budget = options.maxCount;
  if (budget === undefined || budget >= c.toExamine) return { label: 'mapping', done: c.examined, total: c.toExamine, detail: `${c.mapped} mapped` };
  if (c.mapped < budget) {
    const toMap = Math.min(budget, c.found + (c.toExamine - c.examined));
    return { label: 'mapping', done: c.mapped, total: toMap, detail: `${c.examined} of ${c.toExamine} instances examined` };
  }
  return { label: 'counting the instances left unmapped', done: c.examined, total: c.toExamine, detail: `${c.mapped} of ${budget} mapped (--max-count)` };
}

/** `cellctl map-instances`: the one-time instance-mapping migration, set-based and resumable. */
export function mapInstancesCommand(ctx: CliContext): Command {
  const command = new Command('map-instances')
    .description(
      'create the missing instance mappings of a cell (or of every cell): soft-deleted instances included, hidden ones not; ' +
        'resumable without a marker (run it again), safe to run in parallel; progress on stderr, one result row per cell on stdout',
    )
    .addOption(cellOption('the cell to map'))
    .addOption(allCellsOption('map every cell, cell0 and disabled cells included, a few at a time'))
    .addOption(maxCountOption('map at most N instances in this run (in total over the cells); exit 1 while more remain'))
    .option('--reset', "remove the resume marker rows Nova's map_instances left")
    .addOption(dryRunOption('count the unmapped instances per cell, write nothing'));
  declareColumns(command, MAP_INSTANCES_COLUMNS);
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'every instance of the cell(s) is mapped (with --dry-run: none is unmapped)' },
      { code: 1, meaning: 'unmapped instances remain (--max-count reached; with --dry-run: some are unmapped): run it again' },
      { code: 255, meaning: 'a cell could not be mapped (its row says failed, with the error; the other cells were mapped)' },
    ],
    async (options: { cell?: string; allCells?: boolean; maxCount?: number; reset?: boolean; dryRun?: boolean }) => {
      checkCellSelection(options, true);
      const { mapInstances } = await ctx.services();
      const dbs = await ctx.databases();

      const progress = createProgress({ stream: ctx.io.stderr, quiet: ctx.globals.quiet, label: options.dryRun ? 'counting' : 'mapping', env: ctx.io.env });
      const perCell = new Map<string, MappingProgressCounts>();
      const onEvent = (event: RunEvent): void => {
        if (event.type !== 'cell-progress') return;
        perCell.set(event.cell.uuid, { examined: event.done, toExamine: event.total, found: event.counts.found, mapped: event.counts.mapped });
        const sum = (key: keyof MappingProgressCounts): number => [...perCell.values()].reduce((n, c) => n + c[key], 0);
        const view = mappingProgress({ examined: sum('examined'), toExamine: sum('toExamine'), found: sum('found'), mapped: sum('mapped') }, options);
        progress.setLabel(view.label);
        progress.update(view.done, view.total, view.detail);
      };
      let result;
      try {
        result = await mapInstances(dbs, { cell: options.cell, maxCount: options.maxCount, reset: options.reset, dryRun: options.dryRun, rules: await ctx.rules(), onEvent });
      } catch (error) {
        progress.stop();
        throw error;
      }
      const mapped = [...result.mappedByCell.values()].reduce((n, c) => n + c, 0);
      const remaining = result.cells.reduce((n, c) => n + (c.status === 'ok' ? c.value.remaining : 0), 0);
      const failed = result.cells.filter(isFailed).length;
      const summary = result.dryRun ? `${remaining} unmapped instance(s); dry run, nothing written` : `mapped ${mapped} instance(s); ${remaining} left unmapped`;
      if (failed) progress.fail(`${summary}; ${failed} cell(s) failed`);
      else progress.succeed(summary);
      for (const c of result.cells.filter(isFailed)) ctx.error(c.error, `cell ${describeCell(c.item)}: `);
      if (result.markersFound) {
        ctx.notice(
          result.markersRemoved
            ? `removed ${result.markersRemoved} resume marker row(s) left by Nova's map_instances`
            : `found ${result.markersFound} resume marker row(s) left by Nova's map_instances --max-count (project INSTANCE_MIGRATION_MARKER): cellctl needs none; --reset removes them`,
        );
      }
      ctx.printList(
        result.cells.map((c) => ({
          cell: c.item.name,
          cell_uuid: c.item.uuid,
          status: c.status,
          found: c.status === 'ok' ? c.value.found : null,
          mapped: c.status === 'ok' ? c.value.mapped : (result.mappedByCell.get(c.item.uuid) ?? 0),
          remaining: c.status === 'ok' ? c.value.remaining : null,
          seconds: Math.round(c.seconds * 1000) / 1000,
          error: ctx.outcomeError(c),
        })),
        MAP_INSTANCES_COLUMNS,
      );
      if (failed) return EXIT_ENVIRONMENT;
      return remaining > 0 ? 1 : 0;
    },
  );
}
