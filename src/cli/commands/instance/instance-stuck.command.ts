import { Command, Option } from 'commander';
import { ageAt, formatAge } from '../../../domain/cell0-faults';
import { Cell0MissingError, ConflictingOptionsError } from '../../../domain/errors';
import { DEFAULT_STUCK_AGE_SECONDS } from '../../../domain/stuck-builds';
import type { StuckBuild } from '../../../services/stuck-builds.service';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import { dryRunOption } from '../../modern/options';
import type { ColumnSpec } from '../../output/output-format';
import { ageParser } from '../cell0/cell0-list.command';

/** The columns of `instance stuck` (a public contract: docs/commands.md). */
const STUCK_COLUMNS: ColumnSpec[] = [
  { key: 'uuid' },
  { key: 'name' },
  { key: 'project_id' },
  { key: 'user_id' },
  { key: 'created_at' },
  { key: 'age' },
  { key: 'mapping' },
  { key: 'result' },
];

const MAPPING_WORDS = { 'no-cell': 'no cell', missing: 'missing', cell0: 'cell0 (burial cut short)' } as const;

/** `cellctl instance stuck`: build requests whose instance never reached a cell; bury or delete them. */
export function instanceStuckCommand(ctx: CliContext): Command {
  const command = new Command('stuck')
    .description(
      `list stuck builds, oldest first: build requests older than --older-than (default ${formatAge(DEFAULT_STUCK_AGE_SECONDS)}, so a build being scheduled now is left alone) whose instance mapping has no cell, is missing, or points at cell0 with the build request still there (a burial cut short); Nova leaves them for ever. --bury buries them in cell0 as Nova's conductor buries an instance no host was found for; --delete removes their build request, cell-less mapping, request spec and group memberships`,
    )
    .addOption(new Option('--older-than <age>', `only build requests created longer ago than this (90, 30m, 12h, 7d, 2w; 0 for all; default ${formatAge(DEFAULT_STUCK_AGE_SECONDS)})`).argParser(ageParser('--older-than')))
    .addOption(new Option('--bury', "bury each in cell0 with Nova's NoValidHost fault (500), as Nova's conductor would have"))
    .addOption(new Option('--delete', "remove each one's build request, cell-less mapping, request spec and group memberships (nothing in any cell)"))
    .addOption(dryRunOption('with --bury or --delete: say what would be done and write nothing'));
  declareColumns(command, STUCK_COLUMNS);
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'listed (possibly nothing: a listing that finds stuck builds still exits 0; test its output), or every stuck build was buried or deleted (or would be, with --dry-run), or was placed meanwhile and left alone' },
      {
        code: 1,
        meaning:
          'some stuck builds were skipped, each named on stderr with why: a build request holding what cellctl would not write as Nova does (key pair, user data, ...), or with --delete a burial cut short (bury again); ' +
          "or with --bury some are partial: cell0 holds a burial of theirs cut short (Nova's conductor died after creating the instance row, which stays building with no fault), left as it is with its mapping and build request: purge that row with cellctl cell0 delete --purge UUID, then bury again",
      },
      {
        code: 127,
        meaning: 'invalid input: a bad --older-than, --bury with --delete, or --bury without a cell0 mapping (run cellctl cell0 setup); nothing written',
        errors: [ConflictingOptionsError, Cell0MissingError],
      },
    ],
    async (options: { olderThan?: number; bury?: boolean; delete?: boolean; dryRun?: boolean }) => {
      if (options.bury && options.delete) throw new ConflictingOptionsError('--bury and --delete cannot be combined: choose one');
      const services = await ctx.services();
      const dbs = await ctx.databases();
      const now = new Date();
      const base = { olderThanSeconds: options.olderThan, now };
      const row = (b: StuckBuild, result: string) => ({
        uuid: b.uuid,
        name: b.name,
        project_id: b.projectId,
        user_id: b.userId,
        created_at: b.createdAt,
        age: ageAt(b.createdAt, now),
        mapping: MAPPING_WORDS[b.mapping],
        result,
      });
      if (!options.bury && !options.delete) {
        const builds = await services.listStuckBuilds(dbs, base);
        ctx.printList(builds.map((b) => row(b, 'stuck')), STUCK_COLUMNS);
        ctx.notice(`${builds.length} stuck build${builds.length === 1 ? '' : 's'}${options.dryRun ? ' (nothing to write without --bury or --delete)' : ''}`);
        return 0;
      }
      const config = ctx.config();
      const run = options.bury
        ? await services.buryStuckBuilds(dbs, { ...base, dryRun: options.dryRun, conductorHost: config.get('DEFAULT', 'host') || undefined })
        : await services.deleteStuckBuilds(dbs, { ...base, dryRun: options.dryRun });
      const done = options.bury ? (run.dryRun ? 'would bury' : 'buried') : run.dryRun ? 'would delete' : 'deleted';
      const words = { buried: done, deleted: done, placed: 'placed meanwhile, left alone', skipped: 'skipped', partial: 'partial burial, left alone' } as const;
      ctx.printList(run.outcomes.map((o) => row(o.build, words[o.outcome])), STUCK_COLUMNS);
      for (const o of run.outcomes) {
        if (o.outcome === 'skipped') ctx.warn(`${o.build.uuid} (${o.build.name ?? 'no name'}) skipped: ${o.reason}`);
        // The cell0 purge of a stuck build keeps its API rows, so it can be buried again.
        if (o.outcome === 'partial') ctx.warn(`${o.build.uuid} (${o.build.name ?? 'no name'}) partial: ${o.reason}: purge that row with cellctl cell0 delete --purge ${o.build.uuid}, then bury it again`);
        if (options.delete && o.outcome === 'deleted' && o.volumes.length > 0) {
          ctx.warn(`${o.build.uuid}: its volumes ${o.volumes.join(', ')} may still be reserved or attached in Cinder (Nova's API would clean them up; a database tool cannot)`);
        }
      }
      const count = (what: string) => run.outcomes.filter((o) => o.outcome === what).length;
      const skipped = count('skipped');
      const partial = count('partial');
      ctx.notice(
        `${run.dryRun ? 'dry run: ' : ''}${count(options.bury ? 'buried' : 'deleted')} of ${run.outcomes.length} ${done}${count('placed') ? `, ${count('placed')} placed meanwhile` : ''}${skipped ? `, ${skipped} skipped` : ''}${partial ? `, ${partial} partial` : ''}${run.dryRun ? '; nothing written' : ''}`,
      );
      return skipped + partial > 0 ? 1 : 0;
    },
  );
}
