import { Command } from 'commander';
import { Cell0ToggleError, ConflictingOptionsError, DuplicateCellError, InvalidTransportUrlError, MissingCellUrlError } from '../../../domain/errors';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import type { ColumnSpec } from '../../output/output-format';
import { dryRunOption } from '../../modern/options';
import { changeRecord, printCellNotices, printChanges, SCHEDULER_CACHE_NOTE } from './cell-output';

/** The fields of `cell ensure` with -f table, value or csv (a public contract: docs/commands.md). */
const ENSURE_COLUMNS: ColumnSpec[] = [{ key: 'uuid' }, { key: 'action' }, { key: 'changes' }];

/** `cellctl cell ensure`: idempotent create-or-update keyed by name. */
export function cellEnsureCommand(ctx: CliContext): Command {
  const command = new Command('ensure')
    .description(
      'create the cell if no cell has the name, else change the given values that differ (URLs compared rendered); ' +
        'prints the UUID on stdout and created, updated (with a masked diff) or unchanged on stderr',
    )
    .requiredOption('--name <name>', 'the cell name: the key (matched exactly, else with case and trailing blanks ignored)')
    .option('--database-connection <url>', 'the cell database URL (omitted: keep; on creation: [database] connection)')
    .option('--transport-url <url>', 'the message queue URL (omitted: keep; on creation: [DEFAULT] transport_url)')
    .option('--disabled', 'the cell must be disabled')
    .option('--enabled', 'the cell must be enabled')
    .addOption(dryRunOption('report what would change, write nothing'));
  declareColumns(command, ENSURE_COLUMNS);
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'the cell is as asked: created, updated or unchanged' },
      { code: 1, meaning: 'creating, and no database URL can be found; or the transport URL is invalid', errors: [MissingCellUrlError, InvalidTransportUrlError] },
      { code: 2, meaning: "another cell (cell0 included) has the database connection or transport URL: 'already exists' and its UUID", errors: [DuplicateCellError] },
      { code: 5, meaning: 'asked to enable or disable cell0', errors: [Cell0ToggleError] },
    ],
    async (options: { name: string; databaseConnection?: string; transportUrl?: string; disabled?: boolean; enabled?: boolean; dryRun?: boolean }) => {
      if (options.disabled && options.enabled) throw new ConflictingOptionsError('--disabled and --enabled cannot be combined');
      const { ensureCell } = await ctx.services();
      const disabled = options.disabled ? true : options.enabled ? false : undefined;
      const result = await ensureCell(await ctx.databases(), { ...options, disabled }, await ctx.cellPolicy());
      printCellNotices(ctx, result);
      const changes = result.changes.map((c) => changeRecord(ctx, c));
      const format = ctx.globals.format;
      if (format === 'json' || format === 'yaml') ctx.printDocument({ uuid: result.cell.uuid, action: result.action, changes });
      else if (ctx.globals.formatGiven) {
        ctx.printObject({ uuid: result.cell.uuid, action: result.action, changes: changes.map((c) => c.field).join(',') }, ENSURE_COLUMNS);
      } else ctx.out(`${result.cell.uuid}\n`);
      ctx.notice(`${result.dryRun && result.action !== 'unchanged' ? 'dry run: would be ' : ''}${result.action}`);
      printChanges(ctx, result.changes);
      if (result.action !== 'unchanged' && !result.dryRun) ctx.notice(SCHEDULER_CACHE_NOTE);
    },
  );
}
