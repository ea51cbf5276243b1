import { Command, Option } from 'commander';
import { describeCell } from '../../../domain/cell';
import { InstanceNotFoundError, MarkerNotFoundError } from '../../../domain/errors';
import { INSTANCE_SORT_KEYS, type InstanceSortKey, type ListedInstance, type SortDirection } from '../../../domain/instance-listing';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import { EXIT_ENVIRONMENT } from '../../exit-codes';
import { allCellsOption, cellOption, cellTimeoutOption, checkCellSelection, positiveIntegerParser } from '../../modern/options';
import type { ColumnSpec } from '../../output/output-format';

/** `instance list` exits with this when a cell failed or timed out: the listing is partial. */
export const EXIT_PARTIAL_LISTING = 3;

/** The columns of `instance list` (a public contract: docs/commands.md). */
export const INSTANCE_LIST_COLUMNS: ColumnSpec[] = [
  { key: 'uuid' },
  { key: 'name' },
  { key: 'status' },
  { key: 'vm_state' },
  { key: 'task_state' },
  { key: 'project_id' },
  { key: 'user_id' },
  { key: 'host' },
  { key: 'cell' },
  { key: 'cell_status' },
  { key: 'created_at' },
  { key: 'updated_at' },
  { key: 'deleted' },
  { key: 'source' },
];

/** An instance as a row of `instance list` (and the first fields of `instance show`). */
export function listedRow(i: ListedInstance, cellStatus: string | null): Record<string, string | number | boolean | null> {
  return {
    uuid: i.uuid,
    name: i.name,
    status: i.status,
    vm_state: i.vmState,
    task_state: i.taskState,
    project_id: i.projectId,
    user_id: i.userId,
    host: i.host,
    cell: i.cell ? (i.cell.name ?? i.cell.uuid) : null,
    cell_status: cellStatus,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    deleted: i.deleted,
    source: i.source,
  };
}

/** `cellctl instance list`: instances of every cell (or one), read in parallel, partial results marked. */
export function instanceListCommand(ctx: CliContext): Command {
  const command = new Command('list')
    .description(
      "list instances across cells as Nova's API does: every cell read in parallel within --cell-timeout, build requests first, then newest first (created_at, then uuid); a cell that fails or times out is named on stderr and its instances are UNKNOWN rows built from their mappings (first page), exit 3",
    )
    .addOption(cellOption('only this cell (build requests, which are in no cell, are then left out)'))
    .addOption(allCellsOption('every cell, cell0 included, and the build requests (the default)'))
    .addOption(new Option('--project <project-id>', "only this project's instances"))
    .addOption(new Option('--deleted', "only deleted and soft-deleted instances (Nova's deleted=true), instead of the live ones"))
    .addOption(new Option('--limit <n>', 'at most this many instances (default 1000, as Nova\'s [api] max_limit)').argParser(positiveIntegerParser('--limit')))
    .addOption(new Option('--marker <uuid>', 'start after this instance (the last UUID of the previous page; printed on stderr when there are more)'))
    .addOption(new Option('--sort-key <key>', 'sort by this timestamp (then uuid)').choices([...INSTANCE_SORT_KEYS]).default('created_at'))
    .addOption(new Option('--sort-dir <dir>', 'sort direction').choices(['asc', 'desc']).default('desc'))
    .addOption(cellTimeoutOption());
  declareColumns(command, INSTANCE_LIST_COLUMNS);
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'listed (possibly nothing): every cell answered' },
      { code: EXIT_PARTIAL_LISTING, meaning: 'partial: a cell failed or timed out (named on stderr; its instances are the UNKNOWN rows, cell_status failed or timed-out); the other cells are listed' },
      { code: 127, meaning: 'invalid input: a bad --limit, --marker or --sort-key, a marker no instance has, --cell with --all-cells, an unknown or ambiguous cell', errors: [MarkerNotFoundError, InstanceNotFoundError] },
      { code: EXIT_ENVIRONMENT, meaning: 'the API database could not be read, or the cell of the marker could not (nothing listed)' },
    ],
    async (options: { cell?: string; allCells?: boolean; project?: string; deleted?: boolean; limit?: number; marker?: string; sortKey: InstanceSortKey; sortDir: SortDirection; cellTimeout: number }) => {
      checkCellSelection(options);
      const { listInstances } = await ctx.services();
      const listing = await listInstances(await ctx.databases(), {
        cell: options.cell,
        project: options.project,
        deleted: options.deleted,
        limit: options.limit,
        marker: options.marker,
        sort: { key: options.sortKey, direction: options.sortDir },
        cellTimeoutMs: options.cellTimeout * 1000,
      });
      const statusOf = new Map(listing.failedCells.map((f) => [f.item.uuid, f.status]));
      ctx.printList(
        listing.instances.map((i) => listedRow(i, i.cell === null ? null : (statusOf.get(i.cell.uuid) ?? 'ok'))),
        INSTANCE_LIST_COLUMNS,
      );
      for (const failed of listing.failedCells) {
        const shown = listing.instances.filter((i) => i.source === 'unknown' && i.cell?.uuid === failed.item.uuid).length;
        ctx.error(failed.error, `cell ${describeCell(failed.item)} ${failed.status === 'timed-out' ? 'timed out' : 'failed'} (${shown} of its instances listed as UNKNOWN): `);
      }
      if (listing.nextMarker !== undefined) ctx.notice(`more instances: the next page starts after --marker ${listing.nextMarker}`);
      return listing.failedCells.length > 0 ? EXIT_PARTIAL_LISTING : 0;
    },
  );
}
