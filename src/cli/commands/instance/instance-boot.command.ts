import { Command, Option } from 'commander';
import { describeCell } from '../../../domain/cell';
import { AmbiguousInstanceGroupError, Cell0MissingError, FlavorNotFoundError, InstanceGroupNotFoundError, InvalidValueError } from '../../../domain/errors';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import { dryRunOption, integerParser, nonBlankParser } from '../../modern/options';
import type { ColumnSpec } from '../../output/output-format';

/** The most instances one boot may create (Nova's API takes any max_count its quota allows). */
export const MAX_BOOT_COUNT = 1000;

/** The columns of `instance boot` with an explicit -f (a public contract: docs/commands.md). */
const BOOT_COLUMNS: ColumnSpec[] = [{ key: 'uuid' }, { key: 'name' }, { key: 'state' }, { key: 'cell' }, { key: 'host' }, { key: 'fault' }];

/** `cellctl instance boot`: create instances as Nova's API and conductor would, scheduling simulated. */
export function instanceBootCommand(ctx: CliContext): Command {
  const command = new Command('boot')
    .description(
      "create instances as Nova's API and conductor do, with cellctl's scheduling simulation: placed on a compute host of an enabled cell, or, when none fits, buried in cell0 as Nova buries them; prints the new instance UUIDs, one per line (-f for details)",
    )
    .requiredOption('--name <name>', 'the server name (with --count, each gets -1, -2, ... as in Nova)')
    .requiredOption('--flavor <flavor>', 'flavor ID or name')
    .requiredOption('--image <uuid>', 'the image UUID (not checked against Glance)')
    .addOption(new Option('--project <project-id>', 'the project that owns the instances').argParser(nonBlankParser('--project', 'a project ID')).makeOptionMandatory())
    .addOption(new Option('--user <user-id>', 'the user that owns the instances').argParser(nonBlankParser('--user', 'a user ID')).makeOptionMandatory())
    .addOption(new Option('--count <n>', 'how many instances (all placed or none, as Nova)').argParser(integerParser('--count', 1, MAX_BOOT_COUNT)).default(1))
    .addOption(new Option('--availability-zone <zone>', 'only hosts of this availability zone'))
    .addOption(new Option('--group <group>', "an instance group of the API database (UUID, or name in --project): its policy is honoured and the instances join it"))
    .addOption(dryRunOption('say where each instance would go and write nothing'));
  declareColumns(command, BOOT_COLUMNS);
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'every instance was placed in a cell' },
      { code: 1, meaning: 'some or all instances were buried in cell0 (no host fits, or a host without a host mapping); each is in error with its fault' },
      {
        code: 127,
        meaning: 'invalid input: a missing option, a bad name, image UUID, project, user or count, an unknown flavor, an unknown or ambiguous group or one of another project, or no cell0 (run cellctl cell0 setup)',
        errors: [InvalidValueError, FlavorNotFoundError, InstanceGroupNotFoundError, AmbiguousInstanceGroupError, Cell0MissingError],
      },
    ],
    async (options: { name: string; flavor: string; image: string; project: string; user: string; count: number; availabilityZone?: string; group?: string; dryRun?: boolean }) => {
      const { bootInstances } = await ctx.services();
      const config = ctx.config();
      const result = await bootInstances(await ctx.databases(), { ...options, setting: (group, option) => config.get(group, option) });
      for (const unread of result.unreadCells) ctx.error(unread.error, `cell ${describeCell(unread.cell)} (its hosts were not considered): `);
      if (ctx.globals.formatGiven) {
        ctx.printList(
          result.instances.map((i) => ({ uuid: i.uuid, name: i.name, state: i.state, cell: i.cell.name ?? i.cell.uuid, host: i.host, fault: i.fault })),
          BOOT_COLUMNS,
        );
      } else {
        for (const i of result.instances) ctx.io.stdout.write(`${i.uuid}\n`);
      }
      const buried = result.instances.filter((i) => i.state === 'buried');
      for (const i of buried) ctx.notice(`${result.dryRun ? 'would bury' : 'buried'} ${i.uuid} (${i.name}) in cell0: ${i.fault}`);
      ctx.notice(
        result.dryRun
          ? `dry run: ${result.instances.length - buried.length} of ${result.instances.length} would be placed; nothing written`
          : `${result.instances.length - buried.length} of ${result.instances.length} placed${buried.length ? `, ${buried.length} buried in cell0` : ''}`,
      );
      return buried.length > 0 ? 1 : 0;
    },
  );
}
