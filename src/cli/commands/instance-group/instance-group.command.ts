import { Command } from 'commander';
import type { CliContext } from '../../cli-context';
import { instanceGroupAddMemberCommand } from './instance-group-add-member.command';
import { instanceGroupCreateCommand } from './instance-group-create.command';
import { instanceGroupDeleteCommand } from './instance-group-delete.command';
import { instanceGroupListCommand } from './instance-group-list.command';
import { instanceGroupShowCommand } from './instance-group-show.command';

/** `cellctl instance-group …`: instance (server) groups in the API database and those left in cell databases. */
export function instanceGroupCommand(ctx: CliContext): Command {
  return new Command('instance-group')
    .description('instance groups: in the API database, and those left in cell databases until migrate_instance_groups_to_api_db moves them')
    .addCommand(instanceGroupListCommand(ctx))
    .addCommand(instanceGroupShowCommand(ctx))
    .addCommand(instanceGroupCreateCommand(ctx))
    .addCommand(instanceGroupDeleteCommand(ctx))
    .addCommand(instanceGroupAddMemberCommand(ctx));
}
