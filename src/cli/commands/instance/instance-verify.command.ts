import { Command } from 'commander';
import type { InstanceVerdict, VerifyInstanceResult } from '../../../services/instance-verify.service';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import type { ColumnSpec } from '../../output/output-format';

/** The fields of `instance verify` with -f or -c (a public contract: docs/commands.md). */
const VERIFY_COLUMNS: ColumnSpec[] = [{ key: 'uuid' }, { key: 'verdict' }, { key: 'cell' }, { key: 'cell_uuid' }];

/** Nova's verify_instance exit codes, by verdict. */
const VERDICT_CODES: Record<InstanceVerdict, number> = { mapped: 0, 'not-mapped': 1, 'no-cell': 2, deleted: 3, archived: 4 };

function message(r: VerifyInstanceResult): string {
  const cell = r.cell ? `${r.cell.name ?? 'None'} (${r.cell.uuid})` : '';
  switch (r.verdict) {
    case 'mapped':
      return `Instance ${r.uuid} is in cell: ${cell}`;
    case 'not-mapped':
      return `Instance ${r.uuid} is not mapped to a cell (the upgrade is incomplete) or does not exist`;
    case 'no-cell':
      return `Instance ${r.uuid} is not mapped to a cell`;
    case 'deleted':
      return `The instance with uuid ${r.uuid} has been deleted.\nArchive it with nova-manage db archive_deleted_rows, which also removes its instance mapping.`;
    case 'archived':
      return `The instance with uuid ${r.uuid} has been archived.\nIts instance mapping remains.`;
  }
}

/** `cellctl instance verify UUID`: is the instance mapped, and alive in its cell? */
export function instanceVerifyCommand(ctx: CliContext): Command {
  const command = new Command('verify')
    .description("check an instance's mapping and its row in the mapped cell; the message on stdout (nothing with -q/--quiet), or the fields uuid, verdict, cell, cell_uuid with -f or -c")
    .argument('<uuid>', 'the instance UUID');
  declareColumns(command, VERIFY_COLUMNS);
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'mapped, and alive in its cell' },
      { code: 1, meaning: 'no instance mapping (the upgrade is incomplete, or no such instance)' },
      { code: 2, meaning: 'a mapping without a cell (normal while the instance builds)' },
      { code: 3, meaning: 'deleted in its cell but still mapped (archive it)' },
      { code: 4, meaning: 'archived (gone from its cell) but still mapped' },
    ],
    async (uuid: string) => {
      const { verifyInstance } = await ctx.services();
      const result = await verifyInstance(await ctx.databases(), uuid);
      // -f or -c asks for fields; the message is what a bare run prints.
      if (ctx.globals.formatGiven || ctx.globals.column.length > 0) {
        ctx.printObject(
          { uuid: result.uuid, verdict: result.verdict, cell: result.cell?.name ?? null, cell_uuid: result.cell?.uuid ?? null },
          VERIFY_COLUMNS,
        );
      } else if (!ctx.globals.quiet) ctx.out(`${message(result)}\n`);
      return VERDICT_CODES[result.verdict];
    },
  );
}
