import { Command, Option } from 'commander';
import { InvalidValueError } from '../../../domain/errors';
import { INSTANCE_GROUP_POLICIES } from '../../../domain/instance-groups';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import { dryRunOption } from '../../modern/options';
import { INSTANCE_GROUP_COLUMNS, instanceGroupRow } from './instance-group-output';

/** `cellctl instance-group create`: a new group in the API database, as Nova's API creates one. */
export function instanceGroupCreateCommand(ctx: CliContext): Command {
  const command = new Command('create')
    .description('create an instance group in the API database with one policy (rules none) and no members; prints it')
    .requiredOption('--name <name>', 'the group name (names need not be unique, as in Nova)')
    .addOption(new Option('--policy <policy>', 'the scheduling policy').choices([...INSTANCE_GROUP_POLICIES]).makeOptionMandatory())
    .requiredOption('--project <project-id>', 'the project that owns the group')
    .requiredOption('--user <user-id>', 'the user that owns the group')
    .addOption(dryRunOption());
  declareColumns(command, INSTANCE_GROUP_COLUMNS);
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'created and printed (--dry-run: would be; the UUID shown is not kept)' },
      { code: 127, meaning: 'invalid input: a missing option, an unknown policy, an empty or too long name, project or user', errors: [InvalidValueError] },
    ],
    async (options: { name: string; policy: string; project: string; user: string; dryRun?: boolean }) => {
      const { createInstanceGroup } = await ctx.services();
      const result = await createInstanceGroup(await ctx.databases(), options);
      ctx.printObject(instanceGroupRow(result.group), INSTANCE_GROUP_COLUMNS);
      ctx.notice(result.dryRun ? `dry run: would create instance group ${options.name}; nothing written` : `created instance group ${result.group.uuid} (${options.name})`);
    },
  );
}
