import { Command, Option } from 'commander';
import { AmbiguousInstanceGroupError, InstanceGroupNotFoundError, InvalidValueError } from '../../../domain/errors';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import { EXIT_ENVIRONMENT } from '../../exit-codes';
import { dryRunOption } from '../../modern/options';
import { GROUP_REF_MEANING, INSTANCE_GROUP_COLUMNS, instanceGroupRow, locationText } from './instance-group-output';

/** `cellctl instance-group add-member GROUP INSTANCE_UUID...`: add instances where the group lives. */
export function instanceGroupAddMemberCommand(ctx: CliContext): Command {
  const command = new Command('add-member')
    .description('add instances to an instance group (members already in it are skipped): in the API database, or in the cell database of a group that lives only there; prints the group')
    .argument('<group>', 'UUID or name')
    .argument('<instance-uuid...>', 'the instances to add')
    .addOption(new Option('--project <project-id>', 'the project the group belongs to (names resolve within it)'))
    .addOption(dryRunOption());
  declareColumns(command, INSTANCE_GROUP_COLUMNS);
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'added (possibly nothing: all were members) and printed (--dry-run: would be)' },
      { code: 127, meaning: GROUP_REF_MEANING, errors: [InstanceGroupNotFoundError, AmbiguousInstanceGroupError, InvalidValueError] },
      { code: EXIT_ENVIRONMENT, meaning: 'a database could not be read or written (the group was found nowhere else, or its cell copy could not be written)' },
    ],
    async (ref: string, instances: string[], options: { project?: string; dryRun?: boolean }) => {
      const { addInstanceGroupMembers } = await ctx.services();
      const result = await addInstanceGroupMembers(await ctx.databases(), ref, instances, options);
      ctx.printObject(instanceGroupRow(result.group), INSTANCE_GROUP_COLUMNS);
      const where = locationText(result.group);
      ctx.notice(`${result.dryRun ? 'dry run: would add' : 'added'} ${result.added.length} member(s) to instance group ${result.group.uuid} (in ${where})${result.dryRun ? '; nothing written' : ''}`);
    },
  );
}
