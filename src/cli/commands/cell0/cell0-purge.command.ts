import { Command, Option } from 'commander';
import { Cell0MissingError } from '../../../domain/errors';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import { dryRunOption } from '../../modern/options';
import type { ColumnSpec } from '../../output/output-format';
import { ageParser } from './cell0-list.command';
import { volumeWarning } from './cell0-delete.command';

/** The columns of `cell0 purge` (a public contract: docs/commands.md). */
const CELL0_PURGE_COLUMNS: ColumnSpec[] = [{ key: 'table' }, { key: 'rows' }];

/** `cellctl cell0 purge --older-than AGE`: purge every instance of cell0 older than an age. */
export function cell0PurgeCommand(ctx: CliContext): Command {
  const command = new Command('purge')
    .description(
      'purge every instance of cell0, live or soft-deleted, created longer ago than --older-than (by instances.created_at, when the boot was requested), as cell0 delete --purge does, in batches; ' +
        'instances mapped to another cell are left alone (a warning names each); a stuck build (its build request still there) keeps its API rows for cellctl instance stuck (a warning names each). ' +
        'Also removes the API rows an interrupted purge left (mappings still pointing at cell0 whose instance is gone and which have no build request). ' +
        'Prints the rows removed per table, cell0.<table> and API_DB.<table>',
    )
    .addOption(new Option('--older-than <age>', 'purge instances created longer ago than this (90, 30m, 12h, 7d, 2w)').argParser(ageParser('--older-than')).makeOptionMandatory())
    .addOption(dryRunOption('report the same counts, write nothing'));
  declareColumns(command, CELL0_PURGE_COLUMNS);
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'purged (possibly nothing; --dry-run: would be)' },
      { code: 127, meaning: 'invalid input, nothing written: --older-than missing or not an age, or no cell0 is mapped (run cellctl cell0 setup)', errors: [Cell0MissingError] },
      { code: 255, meaning: 'a database could not be read or written; what was purged stays purged, and running the command again completes the rest' },
    ],
    async (options: { olderThan: number; dryRun?: boolean }) => {
      const { purgeCell0 } = await ctx.services();
      const report = await purgeCell0(await ctx.databases(), {
        olderThanSeconds: options.olderThan,
        dryRun: options.dryRun,
        onSkipped: (uuid, cell) => ctx.warn(`instance ${uuid} has rows in cell0 but is mapped to cell ${cell}: left alone`),
        onStuckBuild: (uuid) => ctx.warn(`instance ${uuid} is a stuck build: its cell0 rows are purged, its build request, mapping and request spec kept; cellctl instance stuck --bury buries it again, --delete removes them`),
        onVolumes: (attachments) => {
          const byInstance = new Map<string, typeof attachments>();
          for (const a of attachments) byInstance.set(a.instanceUuid, [...(byInstance.get(a.instanceUuid) ?? []), a]);
          for (const [uuid, volumes] of byInstance) ctx.warn(volumeWarning(uuid, volumes, Boolean(options.dryRun)));
        },
      });
      ctx.printList(report.tables, CELL0_PURGE_COLUMNS);
      const what = `${report.instances} instance(s) created before ${report.createdBefore} UTC${report.leftovers ? ` and the API rows of ${report.leftovers} already gone from cell0` : ''}${report.skipped ? `; ${report.skipped} mapped to another cell left alone` : ''}`;
      ctx.notice(report.dryRun ? `dry run: would purge ${what}; nothing written` : `purged ${what}`);
    },
  );
}
