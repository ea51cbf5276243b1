import { Command, Option } from 'commander';
import { AmbiguousInstanceGroupError, InstanceGroupNotFoundError } from '../../../domain/errors';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import { EXIT_ENVIRONMENT } from '../../exit-codes';
import { cellTimeoutOption } from '../../modern/options';
import { GROUP_REF_MEANING, INSTANCE_GROUP_COLUMNS, instanceGroupRow } from './instance-group-output';

/** `cellctl instance-group show UUID|NAME`: one group, from the API database, else from the cell holding it. */
export function instanceGroupShowCommand(ctx: CliContext): Command {
  const command = new Command('show')
    .description('show one instance group: read from the API database, else from the cell database that still holds it')
    .argument('<group>', 'UUID or name')
    .addOption(new Option('--project <project-id>', 'the project the group belongs to (names resolve within it)'))
    .addOption(cellTimeoutOption());
  declareColumns(command, INSTANCE_GROUP_COLUMNS);
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'shown' },
      { code: 127, meaning: GROUP_REF_MEANING, errors: [InstanceGroupNotFoundError, AmbiguousInstanceGroupError] },
      { code: EXIT_ENVIRONMENT, meaning: 'the API database could not be read, or a cell database could not and the group was found nowhere else' },
    ],
    async (ref: string, options: { project?: string; cellTimeout: number }) => {
      const { showInstanceGroup } = await ctx.services();
      const group = await showInstanceGroup(await ctx.databases(), ref, { project: options.project, cellTimeoutMs: options.cellTimeout * 1000 });
      ctx.printObject(instanceGroupRow(group), INSTANCE_GROUP_COLUMNS);
    },
  );
}
