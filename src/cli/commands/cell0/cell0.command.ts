import { Command } from 'commander';
import type { CliContext } from '../../cli-context';
import { cell0DeleteCommand } from './cell0-delete.command';
import { cell0ListCommand } from './cell0-list.command';
import { cell0PurgeCommand } from './cell0-purge.command';
import { cell0SetupCommand } from './cell0-setup.command';
import { cell0ShowCommand } from './cell0-show.command';

/** `cellctl cell0 …`: the cell of instances that could not be scheduled. */
export function cell0Command(ctx: CliContext): Command {
  return new Command('cell0').description('cell0, where instances that could not be scheduled are buried').addCommand(cell0SetupCommand(ctx))
    .addCommand(cell0ListCommand(ctx))
    .addCommand(cell0ShowCommand(ctx))
    .addCommand(cell0DeleteCommand(ctx))
    .addCommand(cell0PurgeCommand(ctx));
}
