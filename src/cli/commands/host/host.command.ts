import { Command } from 'commander';
import type { CliContext } from '../../cli-context';
import { hostDeleteCommand } from './host-delete.command';
import { hostDiscoverCommand } from './host-discover.command';
import { hostListCommand } from './host-list.command';

/** `cellctl host …`: host mappings (which cell each compute host belongs to). */
export function hostCommand(ctx: CliContext): Command {
  return new Command('host')
    .description('host mappings: discover compute hosts in the cells, list them, remove one')
    .addCommand(hostDiscoverCommand(ctx))
    .addCommand(hostListCommand(ctx))
    .addCommand(hostDeleteCommand(ctx));
}
