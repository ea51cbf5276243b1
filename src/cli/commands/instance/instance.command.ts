import { Command } from 'commander';
import type { CliContext } from '../../cli-context';
import { instanceBootCommand } from './instance-boot.command';
import { instanceListCommand } from './instance-list.command';
import { instanceShowCommand } from './instance-show.command';
import { instanceStuckCommand } from './instance-stuck.command';
import { instanceVerifyCommand } from './instance-verify.command';

/** `cellctl instance …`: instances across cells. */
export function instanceCommand(ctx: CliContext): Command {
  return new Command('instance').description('instances across cells').addCommand(instanceVerifyCommand(ctx)).addCommand(instanceBootCommand(ctx)).addCommand(instanceListCommand(ctx)).addCommand(instanceShowCommand(ctx)).addCommand(instanceStuckCommand(ctx));
}
