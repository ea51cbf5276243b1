import { Command } from 'commander';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import { FLAVOR_LIST_COLUMNS, flavorRow } from './flavor-output';

/** `cellctl flavor list`: every flavor of the API database. */
export function flavorListCommand(ctx: CliContext): Command {
  const command = new Command('list').description('list every flavor of the API database (public or not, disabled or not), sorted by flavor ID');
  declareColumns(command, FLAVOR_LIST_COLUMNS);
  return defineAction(ctx, command, [{ code: 0, meaning: 'listed (possibly nothing)' }], async () => {
    const { listFlavors } = await ctx.services();
    ctx.printList((await listFlavors(await ctx.databases())).map(flavorRow), FLAVOR_LIST_COLUMNS);
  });
}
