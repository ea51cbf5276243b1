import { Command } from 'commander';
import type { CliContext } from '../../cli-context';
import { flavorCreateCommand } from './flavor-create.command';
import { flavorListCommand } from './flavor-list.command';
import { flavorShowCommand } from './flavor-show.command';

/** `cellctl flavor …`: the flavors of the API database, which `instance boot` takes. */
export function flavorCommand(ctx: CliContext): Command {
  return new Command('flavor')
    .description('flavors (instance types) of the API database, as the OpenStack client manages them')
    .addCommand(flavorListCommand(ctx))
    .addCommand(flavorShowCommand(ctx))
    .addCommand(flavorCreateCommand(ctx));
}
