import { Command } from 'commander';
import type { MapInstancesProgress } from '../../../services/map-instances.service';
import { ConflictingOptionsError, InvalidOptionError } from '../../../domain/errors';
import type { CliContext } from '../../cli-context';
import { defineAction } from '../../command-kit';
import { EXIT_ENVIRONMENT } from '../../exit-codes';
import type { ColumnSpec } from '../../output/output-format';
import { createProgress } from '../../output/progress-reporter';

/** The result columns of map-instances (a public contract: docs/commands.md). */
export const MAP_INSTANCES_COLUMNS: ColumnSpec[] = [
  { key: 'cell' },
  { key: 'cell_uuid' },
  { key: 'found' },
  { key: 'mapped' },
  { key: 'remaining' },
  { key: 'seconds' },
];

/** Parses --max-count: a positive integer, else 127 (Nova: 127 too). */
export function parseMaxCount(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\s*\d+\s*$/.test(value) || Number(value) < 1) throw new InvalidOptionError(`--max-count must be a positive integer, not '${value}'`);
  return Number(value);
}

/** `cellctl map-instances`: the one-time instance-mapping migration, set-based and resumable. */
export function mapInstancesCommand(ctx: CliContext): Command {
  const command = new Command('map-instances')
    .description(
      'create the missing instance mappings of a cell (or of every cell): soft-deleted instances included, hidden ones not; ' +
        'resumable without a marker (run it again), safe to run in parallel; progress on stderr, one result row per cell on stdout',
    )
    .option('--cell <name-or-uuid>', 'the cell to map')
    .option('--all-cells', 'map every cell, cell0 and disabled cells included, a few at a time')
    .option('--max-count <n>', 'map at most N instances in this run (in total over the cells); exit 1 while more remain')
    .option('--reset', "remove the resume marker rows Nova's map_instances left")
    .option('--dry-run', 'count the unmapped instances per cell, write nothing');
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'every instance of the cell(s) is mapped (with --dry-run: none is unmapped)' },
      { code: 1, meaning: 'unmapped instances remain (--max-count reached; with --dry-run: some are unmapped): run it again' },
      { code: 255, meaning: 'a cell could not be mapped (reported; the other cells were mapped)' },
    ],
    async (options: { cell?: string; allCells?: boolean; maxCount?: string; reset?: boolean; dryRun?: boolean }) => {
      if ((options.cell === undefined) === !options.allCells) throw new ConflictingOptionsError('give exactly one of --cell and --all-cells');
      const maxCount = parseMaxCount(options.maxCount);
      const { mapInstances } = await ctx.services();
      const dbs = await ctx.databases();

      const progress = createProgress({ stream: ctx.io.stderr, quiet: ctx.globals.quiet, label: options.dryRun ? 'counting' : 'mapping' });
      const perCell = new Map<string, MapInstancesProgress>();
      const onProgress = (p: MapInstancesProgress): void => {
        perCell.set(p.cell.uuid, p);
        const sum = (key: 'scanned' | 'total' | 'found' | 'mapped'): number => [...perCell.values()].reduce((n, c) => n + c[key], 0);
        progress.update(sum('scanned'), sum('total'), options.dryRun ? `${sum('found')} unmapped` : `${sum('mapped')} mapped`);
      };
      let result;
      try {
        result = await mapInstances(dbs, { cell: options.cell, maxCount, reset: options.reset, dryRun: options.dryRun, onProgress });
      } catch (error) {
        progress.stop();
        throw error;
      }
      const mapped = result.cells.reduce((n, c) => n + c.mapped, 0);
      const remaining = result.cells.reduce((n, c) => n + c.remaining, 0);
      progress.succeed(
        result.dryRun ? `${remaining} unmapped instance(s); dry run, nothing written` : `mapped ${mapped} instance(s); ${remaining} left unmapped`,
      );
      if (result.markersFound) {
        ctx.notice(
          result.markersRemoved
            ? `removed ${result.markersRemoved} resume marker row(s) left by Nova's map_instances`
            : `found ${result.markersFound} resume marker row(s) left by Nova's map_instances --max-count (project INSTANCE_MIGRATION_MARKER): cellctl needs none; --reset removes them`,
        );
      }
      result.cells.filter((c) => c.error).forEach((c) => ctx.error(c.error));
      ctx.printList(
        result.cells.map((c) => ({
          cell: c.cell.name,
          cell_uuid: c.cell.uuid,
          found: c.found,
          mapped: c.mapped,
          remaining: c.remaining,
          seconds: Math.round(c.seconds * 1000) / 1000,
        })),
        MAP_INSTANCES_COLUMNS,
      );
      if (result.cells.some((c) => c.error)) return EXIT_ENVIRONMENT;
      return remaining > 0 ? 1 : 0;
    },
  );
}
