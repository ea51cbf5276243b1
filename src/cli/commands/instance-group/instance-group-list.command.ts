import { Command, Option } from 'commander';
import { describeCell } from '../../../domain/cell';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import { EXIT_ENVIRONMENT } from '../../exit-codes';
import { allCellsOption, cellTimeoutOption } from '../../modern/options';
import { INSTANCE_GROUP_COLUMNS, instanceGroupRow } from './instance-group-output';

/** `cellctl instance-group list`: the API database's groups, and with --all-cells those left in cell databases. */
export function instanceGroupListCommand(ctx: CliContext): Command {
  const command = new Command('list')
    .description('list instance groups of the API database (--all-cells: and those left in cell databases, each once, the API copy winning), sorted by project, name, UUID')
    .addOption(new Option('--project <project-id>', "only this project's groups"))
    .addOption(allCellsOption('also read the legacy groups of every cell database (not yet migrated to the API database)'))
    .addOption(cellTimeoutOption());
  declareColumns(command, INSTANCE_GROUP_COLUMNS);
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'listed (possibly nothing)' },
      { code: EXIT_ENVIRONMENT, meaning: 'the API database, or with --all-cells a cell database, could not be read (the groups of the others are listed; stderr names the cell)' },
    ],
    async (options: { project?: string; allCells?: boolean; cellTimeout: number }) => {
      const { listInstanceGroups } = await ctx.services();
      const result = await listInstanceGroups(await ctx.databases(), { project: options.project, allCells: options.allCells, cellTimeoutMs: options.cellTimeout * 1000 });
      ctx.printList(result.groups.map(instanceGroupRow), INSTANCE_GROUP_COLUMNS);
      for (const failed of result.failedCells) ctx.error(failed.error, `cell ${describeCell(failed.item)}: `);
      return result.failedCells.length ? EXIT_ENVIRONMENT : 0;
    },
  );
}
