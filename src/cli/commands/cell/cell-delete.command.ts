import { Command } from 'commander';
import { CellInUseError } from '../../../domain/errors';
import type { CliContext } from '../../cli-context';
import { defineAction } from '../../command-kit';
import { cellParser, dryRunOption } from '../../modern/options';
import { SCHEDULER_CACHE_NOTE } from './cell-output';

const BLOCKER_CODES: Record<CellInUseError['blocker'], number> = { hosts: 2, instances: 3, 'stale-instance-mappings': 4 };

/** `cellctl cell delete NAME|UUID`: remove a cell mapping once nothing depends on it. */
export function cellDeleteCommand(ctx: CliContext): Command {
  const command = new Command('delete')
    .description('delete a cell mapping; refused while hosts are mapped, instances live in it, or stale instance mappings remain')
    .argument('<cell>', 'name or UUID', cellParser('<cell>'))
    .option('--force', 'also remove its host mappings and stale instance mappings (and reset compute_nodes.mapped); never live instances')
    .addOption(dryRunOption('report the blockers or what would be removed, write nothing'));
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'deleted (or, with --dry-run, deletable)' },
      { code: 2, meaning: 'hosts are mapped to the cell (use --force)' },
      { code: 3, meaning: 'live instances are in the cell database (even with --force)' },
      { code: 4, meaning: 'only instance mappings of deleted instances remain (archive them, or use --force)' },
    ],
    async (ref: string, options: { force?: boolean; dryRun?: boolean }) => {
      const { deleteCell } = await ctx.services();
      try {
        const result = await deleteCell(await ctx.databases(), ref, options, await ctx.rules());
        const what = `${result.hostMappings} host mapping(s), ${result.instanceMappings} instance mapping(s)`;
        if (result.dryRun) ctx.notice(`dry run: would delete cell ${result.cell.uuid} with ${what}; nothing written`);
        else {
          ctx.notice(`deleted cell ${result.cell.uuid} with ${what}; ${result.computeNodesReset} compute node(s) reset to unmapped`);
          ctx.notice(SCHEDULER_CACHE_NOTE);
        }
        return 0;
      } catch (error) {
        if (!(error instanceof CellInUseError)) throw error;
        ctx.error(error);
        return BLOCKER_CODES[error.blocker];
      }
    },
  );
}
