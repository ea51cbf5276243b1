import { Command } from 'commander';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import { cellOption } from '../../modern/options';
import type { ColumnSpec } from '../../output/output-format';

/** The columns of `host list` (JSON keys), in Nova's list_hosts order. */
export const HOST_LIST_COLUMNS: ColumnSpec[] = [{ key: 'cell_name' }, { key: 'cell_uuid' }, { key: 'host' }];

/** `cellctl host list`: every host mapping, or one cell's, sorted by host. */
export function hostListCommand(ctx: CliContext): Command {
  const command = new Command('list')
    .description('list host mappings (cell name, cell UUID, host), sorted by host')
    .addOption(cellOption("list only this cell's hosts"));
  declareColumns(command, HOST_LIST_COLUMNS);
  return defineAction(ctx, command, [{ code: 0, meaning: 'listed (possibly nothing)' }], async (options: { cell?: string }) => {
    const { listHosts } = await ctx.services();
    const hosts = await listHosts(await ctx.databases(), { cell: options.cell });
    ctx.printList(
      hosts.map((h) => ({ cell_name: h.cell.name, cell_uuid: h.cell.uuid, host: h.host })),
      HOST_LIST_COLUMNS,
    );
  });
}
