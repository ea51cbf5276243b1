import { Command } from 'commander';
import { describeCell } from '../../../domain/cell';
import { InstanceNotFoundError } from '../../../domain/errors';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import { EXIT_ENVIRONMENT } from '../../exit-codes';
import { cellTimeoutOption } from '../../modern/options';
import type { ColumnSpec } from '../../output/output-format';
import { EXIT_PARTIAL_LISTING, INSTANCE_LIST_COLUMNS, listedRow } from './instance-list.command';

/** `instance show` exits with this when no mapping, build request or cell row knows the instance. */
const EXIT_NOT_FOUND = 1;

/** The fields of `instance show` (a public contract: docs/commands.md). */
const INSTANCE_SHOW_COLUMNS: ColumnSpec[] = [
  ...INSTANCE_LIST_COLUMNS,
  { key: 'cell_uuid' },
  { key: 'node' },
  { key: 'availability_zone' },
  { key: 'flavor' },
  { key: 'image' },
  { key: 'power_state' },
  { key: 'launched_at' },
  { key: 'terminated_at' },
  { key: 'queued_for_delete' },
  { key: 'fault_code' },
  { key: 'fault' },
];

/** `cellctl instance show UUID`: one instance wherever it is (its cell, cell0, or its build request). */
export function instanceShowCommand(ctx: CliContext): Command {
  const command = new Command('show')
    .description(
      "show one instance: its mapping, then its row in the mapped cell (with its latest fault: in cell0, why it was buried), or its build request while it has no cell; when its cell cannot be read, what the mapping and request spec say, status UNKNOWN, exit 3",
    )
    .argument('<uuid>', 'the instance UUID')
    .addOption(cellTimeoutOption());
  declareColumns(command, INSTANCE_SHOW_COLUMNS);
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'shown' },
      { code: EXIT_NOT_FOUND, meaning: 'not found: no mapping, build request or cell has it, its row was archived (its mapping left behind), or its mapping names a cell no longer mapped', errors: [InstanceNotFoundError] },
      { code: EXIT_PARTIAL_LISTING, meaning: 'its cell failed or timed out (named on stderr): the fields shown are those of its mapping and request spec, status UNKNOWN' },
      { code: 127, meaning: 'invalid input: a malformed UUID or --cell-timeout' },
      { code: EXIT_ENVIRONMENT, meaning: 'the API database could not be read' },
    ],
    async (uuid: string, options: { cellTimeout: number }) => {
      const { showInstance } = await ctx.services();
      const { instance: i, cellFailure } = await showInstance(await ctx.databases(), uuid, { cellTimeoutMs: options.cellTimeout * 1000 });
      ctx.printObject(
        {
          ...listedRow(i, i.cell === null ? null : (cellFailure?.status ?? 'ok')),
          cell_uuid: i.cell?.uuid ?? null,
          node: i.node,
          availability_zone: i.availabilityZone,
          flavor: i.flavor,
          image: i.image,
          power_state: i.powerState,
          launched_at: i.launchedAt,
          terminated_at: i.terminatedAt,
          queued_for_delete: i.queuedForDelete,
          fault_code: i.faultCode,
          fault: i.fault,
        },
        INSTANCE_SHOW_COLUMNS,
      );
      if (cellFailure) {
        ctx.error(cellFailure.error, `cell ${describeCell(cellFailure.item)} ${cellFailure.status === 'timed-out' ? 'timed out' : 'failed'}; shown from the mapping and request spec: `);
        return EXIT_PARTIAL_LISTING;
      }
      return 0;
    },
  );
}
