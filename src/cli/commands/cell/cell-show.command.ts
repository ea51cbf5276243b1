import { Command } from 'commander';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import { cellParser } from '../../modern/options';
import { CELL_COLUMNS, cellRow } from './cell-output';

/** `cellctl cell show NAME|UUID`: one cell. */
export function cellShowCommand(ctx: CliContext): Command {
  const command = new Command('show').description('show one cell (URLs masked unless --show-secrets)').argument('<cell>', 'name or UUID', cellParser('<cell>'));
  declareColumns(command, CELL_COLUMNS);
  return defineAction(ctx, command, [{ code: 0, meaning: 'shown' }], async (ref: string) => {
    const { resolveCell } = await ctx.services();
    ctx.printObject(cellRow(ctx, await resolveCell(await ctx.databases(), ref)), CELL_COLUMNS);
  });
}
