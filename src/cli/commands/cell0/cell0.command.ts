import { Command } from 'commander';
import type { CliContext } from '../../cli-context';
import { cell0SetupCommand } from './cell0-setup.command';

/** `cellctl cell0 …`: the cell of instances that could not be scheduled. */
export function cell0Command(ctx: CliContext): Command {
  return new Command('cell0').description('cell0, where instances that could not be scheduled are buried').addCommand(cell0SetupCommand(ctx));
}
