import { Command } from 'commander';
import { FlavorNotFoundError } from '../../../domain/errors';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import { FLAVOR_COLUMNS, FLAVOR_REF_MEANING, flavorRow } from './flavor-output';

/** `cellctl flavor show ID|NAME`: one flavor with its extra specs. */
export function flavorShowCommand(ctx: CliContext): Command {
  const command = new Command('show').description('show one flavor with its extra specs (properties)').argument('<flavor>', 'flavor ID, else name (both exact)');
  declareColumns(command, FLAVOR_COLUMNS);
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'shown' },
      { code: 127, meaning: FLAVOR_REF_MEANING, errors: [FlavorNotFoundError] },
    ],
    async (ref: string) => {
      const { showFlavor } = await ctx.services();
      ctx.printObject(flavorRow(await showFlavor(await ctx.databases(), ref)), FLAVOR_COLUMNS);
    },
  );
}
