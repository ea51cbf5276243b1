import type { AnyDatabaseHandle } from '../db/connection';
import { createSchema, findPartialSchemaBlocker, readSchemaSnapshot, type SchemaSnapshot } from '../db/schema/schema.repository';
import { loadSchemaDefinition, type SchemaDefinition, type SchemaKind } from '../db/schema/schema-definition';
import { inTransaction } from '../db/unit-of-work';
import { type Cell, describeCell } from '../domain/cell';
import { novaDatabaseKind } from '../domain/database-kind';
import { SchemaRefusedError, type PartialSchemaBlocker } from '../domain/errors';
import { quoteUrl } from '../domain/url-masking';
import { scatter, type Outcome } from './cell-execution';
import { listCells, resolveCell } from './cell-lookup.service';
import type { DatabaseContext } from './database-context.service';

/** How a database's schema relates to the Nova schema cellctl knows. */
export type SchemaStatus = 'empty' | 'current' | 'other-revision' | 'legacy' | 'unstamped' | 'incomplete';

/** The verdict on one database's schema, with what it is based on. */
export interface SchemaInspection {
  status: SchemaStatus;
  /** The revision found (alembic), or the legacy sqlalchemy-migrate version as text. */
  revision: string | null;
  expectedRevision: string;
  tableCount: number;
  /** Nova tables absent from a database stamped with the current revision. */
  missingTables: string[];
  /** Set when the tables are those of Nova's other database (the API and cell URLs swapped, say). */
  holds?: 'api' | 'cell';
}

/** Classifies a snapshot against Nova's definition (pure; no database access). */
export function classifySchema(snapshot: SchemaSnapshot, definition: SchemaDefinition): SchemaInspection {
  const kind = novaDatabaseKind(snapshot.tables);
  const holds = (kind === 'api' || kind === 'cell') && kind !== definition.database ? { holds: kind } : {};
  const base = { expectedRevision: definition.revision, tableCount: snapshot.tables.length, missingTables: [] as string[], ...holds };
  if (snapshot.alembicRevision !== undefined) {
    if (snapshot.alembicRevision !== definition.revision) {
      return { ...base, status: 'other-revision', revision: snapshot.alembicRevision };
    }
    const present = new Set(snapshot.tables);
    const missingTables = definition.tables.map((t) => t.name).filter((n) => !present.has(n));
    return { ...base, status: missingTables.length ? 'incomplete' : 'current', revision: snapshot.alembicRevision, missingTables };
  }
  if (snapshot.legacyVersion !== undefined) return { ...base, status: 'legacy', revision: String(snapshot.legacyVersion) };
  return { ...base, status: snapshot.tables.length || snapshot.otherObjects.length ? 'unstamped' : 'empty', revision: null };
}

/** Reads and classifies the schema of a database. */
export async function inspectSchema(handle: AnyDatabaseHandle, kind: SchemaKind): Promise<SchemaInspection> {
  return classifySchema(await readSchemaSnapshot(handle), loadSchemaDefinition(kind));
}

/** The outcome of syncing one database. */
export interface SyncSchemaResult {
  /** `completed` / `would-complete`: the database held part of Nova's schema, as a sync killed part-way leaves it. */
  action: 'created' | 'completed' | 'unchanged' | 'would-create' | 'would-complete';
  revision: string;
  tableCount: number;
  /** For `completed` and `would-complete`: how many of Nova's tables were there already (empty, as defined). */
  existingTables?: number;
  /** For `would-create`: the database itself does not exist yet (the SQLite file, or the MySQL database), and would be created too. */
  createsDatabase?: boolean;
}

/** The refusal of a schema that is neither empty nor current, as data (see SchemaRefusedError). */
function refusal(handle: Pick<AnyDatabaseHandle, 'target' | 'cell'>, kind: SchemaKind, inspection: SchemaInspection, blocker?: PartialSchemaBlocker): SchemaRefusedError {
  const { status, revision, expectedRevision, tableCount, missingTables, holds } = inspection;
  if (status === 'empty' || status === 'current') throw new Error(`a ${status} schema is never refused`);
  // Nova's other database (the API and cell URLs swapped, say) is named as such, whatever its revision.
  return new SchemaRefusedError({
    target: handle.target,
    schema: kind,
    status,
    revision,
    expectedRevision,
    tableCount,
    missingTables,
    ...(blocker && { blocker }),
    ...(holds && { holds }),
    ...(handle.cell && { cell: handle.cell }),
  });
}

/** The lock a schema sync holds on the database it syncs. */
const SCHEMA_LOCK = 'schema';

/**
 * Brings a database to Nova's schema: creates every table and the alembic stamp in an empty
 * database; completes a partial one (unstamped, every table one of Nova's, as defined, and empty:
 * what a sync killed part-way leaves where DDL is not transactional); changes nothing in one
 * already at the revision; throws SchemaRefusedError for anything else (naming, for unstamped
 * tables, the first that is not part of a partial schema). Idempotent and safe against a concurrent
 * sync of the same database (lock). With `dryRun` it only inspects; without a handle (a database
 * not created yet) it reports would-create with `createsDatabase`.
 */
export async function syncSchema(handle: AnyDatabaseHandle | undefined, kind: SchemaKind, options: { dryRun?: boolean } = {}): Promise<SyncSchemaResult> {
  const definition = loadSchemaDefinition(kind);
  const tableCount = definition.tables.length;
  if (!handle) return { action: 'would-create', revision: definition.revision, tableCount, createsDatabase: true };
  const decide = async (reader: Pick<AnyDatabaseHandle, 'db' | 'adapter'>): Promise<{ result: SyncSchemaResult; existing: string[] }> => {
    const snapshot = await readSchemaSnapshot(reader);
    const inspection = classifySchema(snapshot, definition);
    const result = (action: SyncSchemaResult['action'], existing: string[] = []) => ({
      result: { action, revision: definition.revision, tableCount, ...(existing.length ? { existingTables: existing.length } : {}) },
      existing,
    });
    if (inspection.status === 'current') return result('unchanged');
    if (inspection.status === 'empty') return result(options.dryRun ? 'would-create' : 'created');
    if (inspection.status === 'unstamped') {
      const object = snapshot.otherObjects[0];
      const blocker = object ? { table: object.name, reason: 'object' as const, kind: object.kind } : await findPartialSchemaBlocker(reader, definition, snapshot.tables);
      if (!blocker) return result(options.dryRun ? 'would-complete' : 'completed', snapshot.tables);
      throw refusal(handle, kind, inspection, blocker);
    }
    throw refusal(handle, kind, inspection);
  };
  if (options.dryRun) return (await decide(handle)).result;
  return inTransaction(
    handle,
    async (tx) => {
      const { result, existing } = await decide({ db: tx, adapter: handle.adapter });
      if (result.action === 'created' || result.action === 'completed') await createSchema(tx, handle.adapter, definition, existing);
      return result;
    },
    { lock: SCHEMA_LOCK },
  );
}

/** A database whose schema a command syncs or reads: the API database, `[database]`, or a mapped cell. */
export interface SchemaTarget {
  kind: SchemaKind;
  /** The mapped cell, or null for the API database and for the configured `[database]`. */
  cell: Cell | null;
  /** The URL actually used (a cell's template rendered); may hold a password, so mask before showing. */
  database: string;
}

/** The outcome for one target (other targets still ran). */
export type SchemaOutcome<R> = Outcome<SchemaTarget, R>;

/**
 * The API database as a target. Throws MissingSettingError when it is not configured, and
 * InvalidUrlError/UnsupportedSchemeError for a URL that cannot be used.
 */
export function apiSchemaTarget(dbs: DatabaseContext): SchemaTarget {
  const database = dbs.apiConnection();
  dbs.checkUrl('api', database);
  return { kind: 'api', cell: null, database };
}

/**
 * The cell databases a command means: the configured `[database]` by default, one cell with
 * `cell`, or every mapped cell (cell0 included, id order) with `allCells` (possibly none).
 * The URL given or named is checked before any database is touched, so bad input refuses the
 * command whole: throws the lookup errors of resolveCell, CellWithoutDatabaseError and
 * InvalidUrlError. With `allCells` a stored URL that cannot be used fails its own cell only (as
 * its outcome, when the targets are synced or inspected), like an unreachable one.
 */
export async function cellSchemaTargets(dbs: DatabaseContext, selection: { cell?: string; allCells?: boolean }): Promise<SchemaTarget[]> {
  if (selection.allCells) {
    return (await listCells(dbs)).map((cell) => ({ kind: 'cell' as const, cell, database: cell.databaseConnection ? dbs.renderDatabaseUrl(cell.databaseConnection) : '' }));
  }
  if (selection.cell !== undefined) {
    const cell = await resolveCell(dbs, selection.cell);
    return [{ kind: 'cell', cell, database: dbs.cellDatabaseUrl(cell) }];
  }
  const database = dbs.localCellConnection();
  dbs.checkUrl('cell', database);
  return [{ kind: 'cell', cell: null, database }];
}

/** How many databases a schema command works on at once. */
const SCHEMA_PARALLELISM = 4;

/** Options shared by the schema commands over several databases. */
export interface SchemaScatterOptions {
  /** Per-database deadline in milliseconds (none when undefined). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

function scatterTargets<R>(
  dbs: DatabaseContext,
  targets: SchemaTarget[],
  work: (target: SchemaTarget) => Promise<R>,
  options: SchemaScatterOptions,
): Promise<Array<SchemaOutcome<R>>> {
  return scatter(targets, work, {
    concurrency: SCHEMA_PARALLELISM,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    describe: (t) => `${t.cell ? `cell ${describeCell(t.cell)}` : t.kind === 'api' ? 'API' : '[database]'} database ${quoteUrl(t.database)}`,
    onTimeout: (t) => dbs.drop(t.kind, t.database),
  });
}

/**
 * Syncs each target's schema (see syncSchema), a few databases at a time; one target's failure
 * or timeout is its outcome and does not stop the others.
 */
export async function syncSchemas(
  dbs: DatabaseContext,
  targets: SchemaTarget[],
  options: { dryRun?: boolean } & SchemaScatterOptions = {},
): Promise<Array<SchemaOutcome<SyncSchemaResult>>> {
  return scatterTargets(
    dbs,
    targets,
    async (target) => {
      // A mapped cell's stored URL is checked here, so one that cannot be used fails this cell only.
      if (target.cell) dbs.cellDatabaseUrl(target.cell);
      if (options.dryRun && !(await dbs.exists(target.kind, target.database))) return syncSchema(undefined, target.kind, { dryRun: true });
      return syncSchema(await open(dbs, target, !options.dryRun), target.kind, { dryRun: options.dryRun });
    },
    options,
  );
}

/** Reads each target's schema version and status; a target that fails or times out is its outcome. */
export async function inspectSchemas(dbs: DatabaseContext, targets: SchemaTarget[], options: SchemaScatterOptions = {}): Promise<Array<SchemaOutcome<SchemaInspection>>> {
  return scatterTargets(dbs, targets, async (target) => inspectSchema(await open(dbs, target, false), target.kind), options);
}

function open(dbs: DatabaseContext, target: SchemaTarget, create: boolean): Promise<AnyDatabaseHandle> {
  if (target.kind === 'api') return dbs.api({ create });
  return target.cell ? dbs.cellDatabase(target.cell, { create }) : dbs.localCell({ create });
}
