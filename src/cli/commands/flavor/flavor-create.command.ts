import { Command, Option } from 'commander';
import { FlavorExistsError, InvalidValueError } from '../../../domain/errors';
import { FLAVOR_INTEGER_FIELDS, FLAVOR_MAX_INT } from '../../../domain/flavor';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import { dryRunOption, integerParser } from '../../modern/options';
import { FLAVOR_COLUMNS, flavorRow } from './flavor-output';

function sizeOption(field: keyof typeof FLAVOR_INTEGER_FIELDS, value: string, description: string): Option {
  const { option, min } = FLAVOR_INTEGER_FIELDS[field];
  return new Option(`${option} <${value}>`, description).argParser(integerParser(option, min, FLAVOR_MAX_INT));
}

/** `cellctl flavor create NAME --vcpus N --ram MB --disk GB [--id ID]`, the OpenStack client's spelling. */
export function flavorCreateCommand(ctx: CliContext): Command {
  const command = new Command('create')
    .description('create a public flavor in the API database as Nova\'s API does (no extra specs, rxtx factor 1); prints it')
    .argument('<name>', 'the flavor name: 1 to 255 printable characters, no space at either end')
    .addOption(sizeOption('vcpus', 'n', 'virtual CPUs (at least 1)').makeOptionMandatory())
    .addOption(sizeOption('memoryMb', 'mb', 'memory in MB (at least 1)').makeOptionMandatory())
    .addOption(sizeOption('rootGb', 'gb', 'root disk in GB (0: the image size)').makeOptionMandatory())
    .addOption(sizeOption('ephemeralGb', 'gb', 'ephemeral disk in GB (default 0)'))
    .addOption(sizeOption('swap', 'mb', 'swap in MB (default 0)'))
    .addOption(new Option('--id <id>', 'the flavor ID (default, or "auto": a new UUID, as the OpenStack client)'))
    .addOption(dryRunOption());
  declareColumns(command, FLAVOR_COLUMNS);
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'created and printed (--dry-run: would be; an ID shown that was not given is not kept)' },
      { code: 2, meaning: "another flavor has the name or the ID (compared as MySQL does: case and trailing blanks ignored): 'already exists'", errors: [FlavorExistsError] },
      { code: 127, meaning: 'invalid input: a missing size, a name, ID or size Nova\'s API refuses', errors: [InvalidValueError] },
    ],
    async (name: string, options: { vcpus: number; ram: number; disk: number; ephemeral?: number; swap?: number; id?: string; dryRun?: boolean }) => {
      const { createFlavor } = await ctx.services();
      const result = await createFlavor(await ctx.databases(), {
        name,
        // NOTE: the OpenStack client's `--id auto` asks for a generated ID, as no --id does.
        id: options.id === 'auto' ? undefined : options.id,
        vcpus: options.vcpus,
        memoryMb: options.ram,
        rootGb: options.disk,
        ephemeralGb: options.ephemeral,
        swap: options.swap,
        dryRun: options.dryRun,
      });
      ctx.printObject(flavorRow(result.flavor), FLAVOR_COLUMNS);
      ctx.notice(result.dryRun ? `dry run: would create flavor ${JSON.stringify(name)}; nothing written` : `created flavor ${JSON.stringify(name)} (ID ${result.flavor.flavorId})`);
    },
  );
}
