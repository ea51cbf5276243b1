import type { SchemaOutcome, SchemaTarget, SyncSchemaResult, SchemaInspection } from '../../../services/schema.service';
import { DatabaseUnreachableError, SchemaRefusedError } from '../../../domain/errors';
import type { CliContext } from '../../cli-context';
import { EXIT_ENVIRONMENT, EXIT_SUCCESS } from '../../exit-codes';
import type { ColumnSpec } from '../../output/output-format';

/** Exit code of a schema sync that refused a database (nothing was written to it). */
export const EXIT_SCHEMA_REFUSED = 2;

export const SYNC_COLUMNS: ColumnSpec[] = [
  { key: 'cell' },
  { key: 'cell_uuid' },
  { key: 'database' },
  { key: 'action' },
  { key: 'revision' },
];

export const VERSION_COLUMNS: ColumnSpec[] = [
  { key: 'cell' },
  { key: 'cell_uuid' },
  { key: 'database' },
  { key: 'revision' },
  { key: 'status' },
];

/** Version columns of a database that is no mapped cell (the API database, `[database]`). */
export const DATABASE_VERSION_COLUMNS: ColumnSpec[] = VERSION_COLUMNS.filter((c) => !c.key.startsWith('cell'));

function label(target: SchemaTarget): string {
  if (target.kind === 'api') return 'API database';
  return target.cell ? `cell ${target.cell.name ?? target.cell.uuid}` : '[database]';
}

const NOTICE: Record<SyncSchemaResult['action'], (r: SyncSchemaResult) => string> = {
  created: (r) => `created Nova schema ${r.revision} (${r.tableCount} tables)`,
  unchanged: (r) => `already at Nova revision ${r.revision}; nothing changed`,
  'would-create': (r) => `would create Nova schema ${r.revision} (${r.tableCount} tables); dry run, nothing written`,
};

/**
 * Prints sync outcomes (rows on stdout, one notice or error line per database on stderr) and
 * returns the exit code: 255 if any database failed, else 2 if any was refused, else 0.
 */
export function reportSyncOutcomes(ctx: CliContext, outcomes: Array<SchemaOutcome<SyncSchemaResult>>): number {
  let code = EXIT_SUCCESS;
  const rows = outcomes.map(({ target, database, result, error }) => {
    const where = `${label(target)} ${ctx.displayUrl(database)}`;
    if (result) ctx.notice(`${where}: ${NOTICE[result.action](result)}`);
    else {
      ctx.error(error);
      const refused = error instanceof SchemaRefusedError;
      code = Math.max(code, refused ? EXIT_SCHEMA_REFUSED : EXIT_ENVIRONMENT);
    }
    return {
      cell: target.cell?.name ?? null,
      cell_uuid: target.cell?.uuid ?? null,
      database: ctx.displayUrl(database),
      action: result?.action ?? (error instanceof SchemaRefusedError ? 'refused' : 'failed'),
      revision: result?.revision ?? null,
    };
  });
  ctx.printList(rows, SYNC_COLUMNS);
  return code;
}

/** Turns version outcomes into rows; errors are printed and reported as status `unreachable`/`error`. */
export function versionRows(ctx: CliContext, outcomes: Array<SchemaOutcome<SchemaInspection>>): { rows: Array<Record<string, string | null>>; failed: boolean } {
  let failed = false;
  const rows = outcomes.map(({ target, database, result, error }) => {
    if (error) {
      failed = true;
      ctx.error(error);
    }
    return {
      cell: target.cell?.name ?? null,
      cell_uuid: target.cell?.uuid ?? null,
      database: ctx.displayUrl(database),
      revision: result?.revision ?? null,
      status: result?.status ?? (error instanceof DatabaseUnreachableError ? 'unreachable' : 'error'),
    };
  });
  return { rows, failed };
}
