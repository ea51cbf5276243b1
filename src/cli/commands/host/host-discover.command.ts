import { Command } from 'commander';
import { describeCell } from '../../../domain/cell';
import { isFailed } from '../../../domain/outcome';
import { ConflictingOptionsError, InvalidOptionError } from '../../../domain/errors';
import type { DiscoverHostsResult, HostCellRef, WaitForHostsResult } from '../../../services/host.service';
import type { RunEvent } from '../../../services/run-events';
import { cellOption, dryRunOption } from '../../modern/options';
import type { CliContext } from '../../cli-context';
import { declareColumns, defineAction } from '../../command-kit';
import { EXIT_ENVIRONMENT, EXIT_SUCCESS } from '../../exit-codes';
import type { ColumnSpec } from '../../output/output-format';
import { SCHEDULER_CACHE_NOTE } from '../cell/cell-output';
import { HOST_LIST_COLUMNS } from './host-list.command';

/**
 * The columns of `host discover` (JSON keys): `host list`'s, in its order, then `status` and
 * `error`. One row per host mapped (`status` ok: its mapping was written, even when its cell
 * failed afterwards), and one per cell that failed (`host` null, `status` failed or timed-out,
 * `error` why).
 */
export const HOST_DISCOVER_COLUMNS: ColumnSpec[] = [...HOST_LIST_COLUMNS, { key: 'status' }, { key: 'error' }];

/** --strict with nothing new mapped, or --wait-for timed out. */
const EXIT_NOTHING_MAPPED_OR_TIMED_OUT = 1;

/** --timeout's default when only --wait-for is given. */
const DEFAULT_WAIT_TIMEOUT_SECONDS = 300;

interface DiscoverFlags {
  cell?: string;
  byService?: boolean;
  strict?: boolean;
  waitFor?: string[];
  timeout?: string;
  dryRun?: boolean;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `cellctl host discover`: map the compute hosts of every cell (or one) that have no host mapping. */
export function hostDiscoverCommand(ctx: CliContext): Command {
  const command = new Command('discover')
    .description(
      'map unmapped compute hosts of every cell but cell0 (disabled cells included) to their cell, ' +
        'and list the hosts this run mapped; safe to run in parallel',
    )
    .addOption(cellOption('scan only this cell'))
    .option('--by-service', 'map the hosts of nova-compute services (e.g. ironic) instead of unmapped compute nodes')
    .option('--strict', 'exit 1 when no new host was mapped')
    .option('--wait-for <hosts>', 'keep discovering until these hosts (comma-separated, repeatable) are mapped to a cell', collect)
    .option('--timeout <seconds>', `give up waiting after this many seconds (with --wait-for; default ${DEFAULT_WAIT_TIMEOUT_SECONDS})`)
    .addOption(dryRunOption('list the hosts that would be mapped and write nothing'));
  declareColumns(command, HOST_DISCOVER_COLUMNS);
  return defineAction(
    ctx,
    command,
    [
      { code: 0, meaning: 'done: new hosts mapped, or nothing left to map (without --strict)' },
      {
        code: EXIT_NOTHING_MAPPED_OR_TIMED_OUT,
        meaning: '--strict and no new host was mapped; or --wait-for and the timeout passed with hosts still unmapped (named on stderr)',
      },
      {
        code: 127,
        meaning:
          'invalid input: unknown flag, unknown or ambiguous cell, --cell cell0 (it never has hosts), ' +
          '--timeout without --wait-for or not a number, an empty --wait-for, --wait-for with --dry-run',
      },
      {
        code: EXIT_ENVIRONMENT,
        meaning: 'the environment failed: a cell database could not be scanned (its row says failed or timed-out; the other cells were), or the API database',
      },
    ],
    async (flags: DiscoverFlags) => {
      const wait = parseWaitFlags(flags);
      const { discoverHosts, waitForHosts } = await ctx.services();
      const dbs = await ctx.databases();
      const onEvent = eventPrinter(ctx, wait?.timeoutSeconds);
      const options = { cell: flags.cell, byService: flags.byService, dryRun: flags.dryRun, onEvent, rules: await ctx.rules() };
      const result: DiscoverHostsResult & Partial<WaitForHostsResult> = wait
        ? await waitForHosts(dbs, { ...options, hosts: wait.hosts, timeoutMs: wait.timeoutSeconds * 1000 })
        : await discoverHosts(dbs, options);

      const failed = result.outcomes.filter(isFailed);
      ctx.printList(
        [
          ...result.mapped.map((m) => ({ cell_name: m.cell.name, cell_uuid: m.cell.uuid, host: m.host, status: 'ok', error: null })),
          ...failed.map((o) => ({ cell_name: o.item.name, cell_uuid: o.item.uuid, host: null, status: o.status, error: ctx.outcomeError(o) })),
        ],
        HOST_DISCOVER_COLUMNS,
      );
      reportSummary(ctx, result, failed.length);
      if (result.missing?.length) {
        ctx.error(`timed out after ${wait?.timeoutSeconds} s: not mapped to any cell: ${result.missing.join(', ')}`);
      }
      if (failed.length) return EXIT_ENVIRONMENT;
      if (result.missing?.length) return EXIT_NOTHING_MAPPED_OR_TIMED_OUT;
      if (flags.strict && result.mapped.length === 0) return EXIT_NOTHING_MAPPED_OR_TIMED_OUT;
      return EXIT_SUCCESS;
    },
  );
}

/** Checks the flag combinations of waiting; undefined when not waiting. Throws 127 errors. */
function parseWaitFlags(flags: DiscoverFlags): { hosts: string[]; timeoutSeconds: number } | undefined {
  if (flags.waitFor === undefined) {
    if (flags.timeout !== undefined) throw new ConflictingOptionsError('--timeout needs --wait-for (the hosts to wait for)');
    return undefined;
  }
  if (flags.dryRun) throw new ConflictingOptionsError('--wait-for cannot be combined with --dry-run (a dry run maps nothing to wait for)');
  const hosts = [...new Set(flags.waitFor.flatMap((v) => v.split(',')).map((h) => h.trim()).filter((h) => h.length > 0))];
  if (hosts.length === 0) throw new InvalidOptionError('--wait-for needs at least one host name (comma-separated)');
  let timeoutSeconds = DEFAULT_WAIT_TIMEOUT_SECONDS;
  if (flags.timeout !== undefined) {
    if (!/^\s*\d+(\.\d+)?\s*$/.test(flags.timeout)) {
      throw new InvalidOptionError(`invalid --timeout '${flags.timeout}': expected a number of seconds, 0 or more`);
    }
    timeoutSeconds = Number(flags.timeout);
  }
  return { hosts, timeoutSeconds };
}

function describeRef(ref: HostCellRef): string {
  return ref.name && ref.uuid ? `${ref.name} (${ref.uuid})` : (ref.uuid ?? ref.name ?? 'unknown');
}

/** Prints warnings and errors as discovery meets them, and the progress of waiting. */
function eventPrinter(ctx: CliContext, timeoutSeconds: number | undefined): (event: RunEvent) => void {
  let lastMissing: string | undefined;
  return (event: RunEvent) => {
    if (event.type === 'cell-finished') {
      const { outcome } = event;
      if (outcome.error) ctx.error(outcome.error, `cell ${describeCell(event.cell)}: `);
      return;
    }
    if (event.type !== 'notice') return;
    const notice = event.notice;
    if (notice.kind === 'host-in-other-cell') {
      const left = notice.byService ? 'left as it is' : 'left as it is (its compute nodes stay unmapped)';
      ctx.warn(`host ${notice.host} of cell ${describeCell(notice.cell)} is already mapped to cell ${describeRef(notice.mappedTo)}; ${left}`);
    } else if (notice.kind === 'waiting-for-hosts') {
      const missing = notice.missing.join(', ');
      if (lastMissing === undefined) ctx.notice(`waiting up to ${timeoutSeconds} s for hosts to be mapped: ${missing}`);
      else if (missing !== lastMissing) ctx.notice(`still waiting for: ${missing}`);
      lastMissing = missing;
    }
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function reportSummary(ctx: CliContext, result: DiscoverHostsResult, failures: number): void {
  if (result.cells.length === 0) {
    ctx.notice('no cells to scan: no cell other than cell0 is mapped (cell0 never has hosts)');
    return;
  }
  // NOTE: a cell that failed may have been scanned and its hosts mapped before it failed: count it as failed, not as not scanned.
  const scanned = failures === 0 ? `${plural(result.cells.length, 'cell')} scanned` : `${failures} of ${plural(result.cells.length, 'cell')} failed`;
  const marked = result.computeNodesMarked ? `; ${plural(result.computeNodesMarked, 'compute node')} marked mapped` : '';
  if (result.dryRun) {
    ctx.notice(`dry run: would map ${plural(result.mapped.length, 'new host')} (${scanned}${marked.replace('marked', 'to mark')}); nothing written`);
    return;
  }
  ctx.notice(`mapped ${plural(result.mapped.length, 'new host')} (${scanned}${marked})`);
  if (result.mapped.length > 0) ctx.notice(SCHEDULER_CACHE_NOTE);
}
