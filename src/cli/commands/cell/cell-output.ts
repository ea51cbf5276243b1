import type { Cell } from '../../../domain/cell';
import type { CellChange, CellWriteResult } from '../../../services/cell.service';
import { valueFromConfigurationText } from '../../modern/error-text';
import type { CliContext } from '../../cli-context';
import type { ColumnSpec } from '../../output/output-format';
import type { Row } from '../../output/renderers';

/** The columns of `cell list` and `cell show` (a public contract: docs/commands.md). */
export const CELL_COLUMNS: ColumnSpec[] = [
  { key: 'name' },
  { key: 'uuid' },
  { key: 'transport_url' },
  { key: 'database_connection' },
  { key: 'disabled' },
];

/** A cell as output shows it: URLs as stored (templates stay templates), masked unless --show-secrets. */
export function cellRow(ctx: CliContext, cell: Cell): Row {
  return {
    name: cell.name,
    uuid: cell.uuid,
    transport_url: ctx.displayUrl(cell.transportUrl),
    database_connection: ctx.displayUrl(cell.databaseConnection),
    disabled: cell.disabled,
  };
}

/** Prints the notices of a cell write (values taken from the configuration) on stderr. */
export function printCellNotices(ctx: CliContext, result: CellWriteResult): void {
  for (const n of result.notices) if (n.kind === 'value-from-configuration') ctx.notice(valueFromConfigurationText(n.field, ctx.displayUrl(n.value) ?? ''));
}

function shown(ctx: CliContext, value: string | boolean | null): string {
  if (typeof value === 'boolean') return String(value);
  return value === null ? '(none)' : (ctx.displayUrl(value) ?? '');
}

/** A change as data: values masked unless --show-secrets, a masked-identical URL flagged. */
export function changeRecord(ctx: CliContext, change: CellChange): { field: string; before: string; after: string } {
  let before = shown(ctx, change.before);
  let after = shown(ctx, change.after);
  // NOTE: when only a password differs, the masked values are identical; say what changed.
  if (before === after && change.before !== change.after) after = `${after} (password changed)`;
  if (change.field === 'name') {
    before = change.before === null ? '(none)' : String(change.before);
    after = String(change.after);
  }
  return { field: change.field, before, after };
}

/** Prints a masked before/after diff on stderr, one line per changed field. */
export function printChanges(ctx: CliContext, changes: CellChange[]): void {
  for (const c of changes.map((change) => changeRecord(ctx, change))) ctx.notice(`  ${c.field}: ${c.before} -> ${c.after}`);
}

/**
 * Running schedulers and API services cache cells and host mappings (Nova §7.11): the one note
 * every command that changes them prints (cell and host commands alike).
 */
export const SCHEDULER_CACHE_NOTE =
  'note: running nova-scheduler (and nova-api) processes cache cells and host mappings: restart them or send them SIGHUP to see this change';
