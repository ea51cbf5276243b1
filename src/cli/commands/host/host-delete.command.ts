import { Command } from 'commander';
import { describeCell } from '../../../domain/cell';
import { HostHasInstancesError, HostInOtherCellError, HostNotMappedError } from '../../../domain/errors';
import type { CliContext } from '../../cli-context';
import { defineAction } from '../../command-kit';
import { cellOption, dryRunOption, nonBlankParser } from '../../modern/options';
import { SCHEDULER_CACHE_NOTE } from '../cell/cell-output';

/** `cellctl host delete`: remove one host's mapping from its cell (Nova's delete_host). */
export function hostDeleteCommand(ctx: CliContext): Command {
  const command = new Command('delete')
    .description("delete a host's mapping and mark its compute nodes unmapped; refused while instances live on it")
    .addOption(cellOption('the cell the host is mapped to').makeOptionMandatory())
    .requiredOption('--host <host>', 'the host to remove', nonBlankParser('--host', 'a host'))
    .addOption(dryRunOption());
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'the host mapping was deleted (--dry-run: would be)' },
      { code: 2, meaning: 'the host is not mapped to any cell', errors: [HostNotMappedError] },
      { code: 3, meaning: 'the host is mapped to another cell (named on stderr)', errors: [HostInOtherCellError] },
      { code: 4, meaning: 'there are live instances on the host in that cell; nothing changed', errors: [HostHasInstancesError] },
    ],
    async (options: { cell: string; host: string; dryRun?: boolean }) => {
      const { deleteHost } = await ctx.services();
      const result = await deleteHost(await ctx.databases(), options);
      const nodes = `${result.computeNodes} compute node${result.computeNodes === 1 ? '' : 's'}`;
      if (result.dryRun) {
        ctx.notice(`dry run: would delete the host mapping of ${result.host} (cell ${describeCell(result.cell)}) and mark its ${nodes} unmapped; nothing written`);
        return;
      }
      ctx.notice(`deleted the host mapping of ${result.host} (cell ${describeCell(result.cell)}); marked its ${nodes} unmapped`);
      ctx.notice(SCHEDULER_CACHE_NOTE);
    },
  );
}
