import { Command, Option } from 'commander';
import { describeCell } from '../../../domain/cell';
import { AmbiguousInstanceGroupError, InstanceGroupNotFoundError } from '../../../domain/errors';
import type { CliContext } from '../../cli-context';
import { defineAction } from '../../command-kit';
import { EXIT_ENVIRONMENT } from '../../exit-codes';
import { dryRunOption } from '../../modern/options';
import { GROUP_REF_MEANING, locationText } from './instance-group-output';

/** `cellctl instance-group delete UUID|NAME`: delete a group where it lives. */
export function instanceGroupDeleteCommand(ctx: CliContext): Command {
  const command = new Command('delete')
    .description(
      'delete an instance group with its policy and members: from the API database (stale copies left in cell databases are soft-deleted too), ' +
        'or, for a group that lives only in a cell database, soft-deleted there',
    )
    .argument('<group>', 'UUID or name')
    .addOption(new Option('--project <project-id>', 'the project the group belongs to (names resolve within it)'))
    .addOption(dryRunOption());
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'deleted (--dry-run: would be)' },
      { code: 127, meaning: GROUP_REF_MEANING, errors: [InstanceGroupNotFoundError, AmbiguousInstanceGroupError] },
      { code: EXIT_ENVIRONMENT, meaning: 'a database could not be read or written (the API copy is deleted last, so running the command again finishes)' },
    ],
    async (ref: string, options: { project?: string; dryRun?: boolean }) => {
      const { deleteInstanceGroup } = await ctx.services();
      const result = await deleteInstanceGroup(await ctx.databases(), ref, options);
      const what = `instance group ${result.group.uuid} (${result.group.name ?? 'no name'}, in ${locationText(result.group)})`;
      const stale = result.group.location.kind === 'api' && result.cellCopies.length ? `; stale cell copies soft-deleted in ${result.cellCopies.map(describeCell).join(', ')}` : '';
      ctx.notice(result.dryRun ? `dry run: would delete ${what}${stale ? ` and soft-delete its stale cell copies` : ''}; nothing written` : `deleted ${what}${stale}`);
    },
  );
}
