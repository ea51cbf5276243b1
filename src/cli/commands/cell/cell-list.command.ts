import { Command } from 'commander';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import { CELL_COLUMNS, cellRow } from './cell-output';

/** `cellctl cell list`: every cell, cell0 included, sorted by name. */
export function cellListCommand(ctx: CliContext): Command {
  const command = new Command('list').description('list every cell, cell0 included, sorted by name (URLs masked unless --show-secrets)');
  declareColumns(command, CELL_COLUMNS);
  return defineAction(ctx, command, [{ code: 0, meaning: 'listed (possibly no cells)' }], async () => {
    const { listCellsByName } = await ctx.services();
    const cells = await listCellsByName(await ctx.databases());
    ctx.printList(cells.map((c) => cellRow(ctx, c)), CELL_COLUMNS);
  });
}
