import { Command } from 'commander';
import type { CliContext } from '../../cli-context';
import { instanceBootCommand } from './instance-boot.command';
import { instanceStuckCommand } from './instance-stuck.command';
import { instanceVerifyCommand } from './instance-verify.command';

/** `cellctl instance …`: instances across cells. */
export function instanceCommand(ctx: CliContext): Command {
  return new Command('instance').description('instances across cells').addCommand(instanceVerifyCommand(ctx)).addCommand(instanceBootCommand(ctx)).addCommand(instanceStuckCommand(ctx));
}
