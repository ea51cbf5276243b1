import { Command } from 'commander';
import type { CliContext } from '../../cli-context';
import { instanceVerifyCommand } from './instance-verify.command';

/** `cellctl instance …`: instances across cells. */
export function instanceCommand(ctx: CliContext): Command {
  return new Command('instance').description('instances across cells').addCommand(instanceVerifyCommand(ctx));
}
