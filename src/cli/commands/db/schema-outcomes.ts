import type { SchemaOutcome, SyncSchemaResult, SchemaInspection, SchemaTarget } from '../../../services/schema.service';
import { SchemaRefusedError } from '../../../domain/errors';
import { isFailed } from '../../../domain/outcome';
import type { CliContext } from '../../cli-context';
import { EXIT_ENVIRONMENT, EXIT_SUCCESS } from '../../exit-codes';
import { otherKindFix, syncCommand } from '../../modern/error-text';
import type { ColumnSpec } from '../../output/output-format';

/** Exit code of a schema sync that refused a database (nothing was written to it). */
export const EXIT_SCHEMA_REFUSED = 2;

/** The columns of `db sync` / `api-db sync` (JSON keys). */
export const SYNC_COLUMNS: ColumnSpec[] = [
  { key: 'cell' },
  { key: 'cell_uuid' },
  { key: 'database' },
  { key: 'action' },
  { key: 'revision' },
  { key: 'error' },
];

/** The columns of `db version` (JSON keys). */
export const VERSION_COLUMNS: ColumnSpec[] = [
  { key: 'cell' },
  { key: 'cell_uuid' },
  { key: 'database' },
  { key: 'revision' },
  { key: 'status' },
  { key: 'error' },
];

/** Version columns of a database that is no mapped cell (the API database, `[database]`). */
export const DATABASE_VERSION_COLUMNS: ColumnSpec[] = VERSION_COLUMNS.filter((c) => !c.key.startsWith('cell'));

function label(target: SchemaTarget): string {
  if (target.kind === 'api') return 'API database';
  return target.cell ? `cell ${target.cell.name ?? target.cell.uuid}` : '[database]';
}

const NOTICE: Record<SyncSchemaResult['action'], (r: SyncSchemaResult) => string> = {
  created: (r) => `created Nova schema ${r.revision} (${r.tableCount} tables)`,
  completed: (r) =>
    `completed a partial Nova schema ${r.revision}: created ${r.tableCount - (r.existingTables ?? 0)} of ${r.tableCount} tables (${r.existingTables ?? 0} found already, empty and as defined by Nova)`,
  unchanged: (r) => `already at Nova revision ${r.revision}; nothing changed`,
  'would-create': (r) => `would create ${r.createsDatabase ? 'the database, then ' : ''}Nova schema ${r.revision} (${r.tableCount} tables); dry run, nothing written`,
  'would-complete': (r) =>
    `would complete a partial Nova schema ${r.revision}: ${r.existingTables ?? 0} of ${r.tableCount} tables found, empty and as defined by Nova; would create ${r.tableCount - (r.existingTables ?? 0)}; dry run, nothing written`,
};

/** How a sync's result is worded in its notice line (after the database it is about). */
export function syncNoticeText(result: SyncSchemaResult): string {
  return NOTICE[result.action](result);
}

/**
 * Prints sync outcomes (rows on stdout, one notice or error line per database on stderr) and
 * returns the exit code: 255 if any database failed or timed out, else 2 if any was refused, else 0.
 */
export function reportSyncOutcomes(ctx: CliContext, outcomes: Array<SchemaOutcome<SyncSchemaResult>>): number {
  let code = EXIT_SUCCESS;
  const rows = outcomes.map((outcome) => {
    const { item: target } = outcome;
    const where = `${label(target)} ${ctx.displayUrl(target.database)}`;
    let action: string;
    if (outcome.status === 'ok') {
      ctx.notice(`${where}: ${NOTICE[outcome.value.action](outcome.value)}`);
      action = outcome.value.action;
    } else if (outcome.status === 'skipped') {
      action = 'skipped';
    } else {
      ctx.error(outcome.error);
      const refused = outcome.error instanceof SchemaRefusedError;
      code = Math.max(code, refused ? EXIT_SCHEMA_REFUSED : EXIT_ENVIRONMENT);
      action = refused ? 'refused' : outcome.status;
    }
    return {
      cell: target.cell?.name ?? null,
      cell_uuid: target.cell?.uuid ?? null,
      database: ctx.displayUrl(target.database),
      action,
      revision: outcome.status === 'ok' ? outcome.value.revision : null,
      error: ctx.outcomeError(outcome),
    };
  });
  ctx.printList(rows, SYNC_COLUMNS);
  return code;
}

/**
 * Turns version outcomes into rows (a database not read has status `failed` or `timed-out`); errors
 * are printed, and a notice names the fix for a database with none of Nova's tables or Nova's other one.
 */
export function versionRows(ctx: CliContext, outcomes: Array<SchemaOutcome<SchemaInspection>>): { rows: Array<Record<string, string | null>>; failed: boolean } {
  let failed = false;
  const rows = outcomes.map((outcome) => {
    if (isFailed(outcome)) {
      failed = true;
      ctx.error(outcome.error);
    }
    if (outcome.status === 'ok') {
      const { kind, cell } = outcome.item;
      const where = `${label(outcome.item)} ${ctx.displayUrl(outcome.item.database)}`;
      const ref = cell ? { uuid: cell.uuid, name: cell.name } : undefined;
      const inspection = outcome.value;
      if (inspection.status === 'empty') ctx.notice(`${where}: none of Nova's tables; create Nova's schema with ${syncCommand(kind, ref)}`);
      else if (inspection.holds) ctx.notice(`${where}: holds Nova's ${inspection.holds === 'api' ? 'API' : 'cell'} schema, not the ${kind === 'api' ? 'API' : 'cell'} schema; ${otherKindFix(kind, ref)}`);
    }
    return {
      cell: outcome.item.cell?.name ?? null,
      cell_uuid: outcome.item.cell?.uuid ?? null,
      database: ctx.displayUrl(outcome.item.database),
      revision: outcome.status === 'ok' ? outcome.value.revision : null,
      status: outcome.status === 'ok' ? outcome.value.status : outcome.status,
      error: ctx.outcomeError(outcome),
    };
  });
  return { rows, failed };
}
