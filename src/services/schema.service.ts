import type { AnyDatabaseHandle } from '../db/connection';
import { withDatabaseLock } from '../db/database-lock';
import { createSchema, readSchemaSnapshot, type SchemaSnapshot } from '../db/schema/schema.repository';
import { loadSchemaDefinition, type SchemaDefinition, type SchemaKind } from '../db/schema/schema-definition';
import { type Cell, describeCell } from '../domain/cell';
import { ConflictingOptionsError, MissingSettingError, SchemaRefusedError } from '../domain/errors';
import { maskUrl } from '../domain/url-masking';
import { mapBounded } from './bounded-parallel';
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
}

/** Classifies a snapshot against Nova's definition (pure; no database access). */
export function classifySchema(snapshot: SchemaSnapshot, definition: SchemaDefinition): SchemaInspection {
  const base = { expectedRevision: definition.revision, tableCount: snapshot.tables.length, missingTables: [] as string[] };
  if (snapshot.alembicRevision !== undefined) {
    if (snapshot.alembicRevision !== definition.revision) {
      return { ...base, status: 'other-revision', revision: snapshot.alembicRevision };
    }
    const present = new Set(snapshot.tables);
    const missingTables = definition.tables.map((t) => t.name).filter((n) => !present.has(n));
    return { ...base, status: missingTables.length ? 'incomplete' : 'current', revision: snapshot.alembicRevision, missingTables };
  }
  if (snapshot.legacyVersion !== undefined) return { ...base, status: 'legacy', revision: String(snapshot.legacyVersion) };
  return { ...base, status: snapshot.tables.length ? 'unstamped' : 'empty', revision: null };
}

/** Reads and classifies the schema of a database. */
export async function inspectSchema(handle: AnyDatabaseHandle, kind: SchemaKind): Promise<SchemaInspection> {
  return classifySchema(await readSchemaSnapshot(handle), loadSchemaDefinition(kind));
}

/** The outcome of syncing one database. */
export interface SyncSchemaResult {
  action: 'created' | 'unchanged' | 'would-create';
  revision: string;
  tableCount: number;
}

/** Explains why a schema is refused, naming the database (masked) and what to do. */
export function refusalReason(target: string, inspection: SchemaInspection, kind: SchemaKind): string {
  const nova = kind === 'api' ? 'nova-manage api_db sync' : 'nova-manage db sync';
  switch (inspection.status) {
    case 'other-revision':
      return `${target} is at Nova schema revision ${inspection.revision}, not ${inspection.expectedRevision} (Nova 26 Zed); cellctl changes nothing, upgrade it with Nova's own ${nova}`;
    case 'legacy':
      return `${target} is under sqlalchemy-migrate version ${inspection.revision} (Nova before Yoga); upgrade it with Nova's own ${nova}`;
    case 'incomplete':
      return `${target} is stamped ${inspection.revision} but lacks ${inspection.missingTables.length} of Nova's tables (${preview(inspection.missingTables)}); refusing to touch a partial schema`;
    case 'unstamped':
      return `${target} holds ${inspection.tableCount} tables but no alembic_version stamp: refusing to create Nova's schema over foreign or partial tables (drop them, or point cellctl at an empty database)`;
    default:
      return `${target} has schema status ${inspection.status}`;
  }
}

function preview(names: string[]): string {
  return names.length > 5 ? `${names.slice(0, 5).join(', ')}, ...` : names.join(', ');
}

/**
 * Brings a database to Nova's schema: creates every table and the alembic stamp in an empty
 * database; changes nothing in one already at the revision; throws SchemaRefusedError for
 * anything else. Idempotent and safe against a concurrent sync of the same database (lock).
 * With `dryRun` it only inspects; without a handle (a database not created yet) it reports would-create.
 */
export async function syncSchema(
  handle: AnyDatabaseHandle | undefined,
  kind: SchemaKind,
  options: { dryRun?: boolean; target: string; lockTimeoutSeconds?: number },
): Promise<SyncSchemaResult> {
  const definition = loadSchemaDefinition(kind);
  const tableCount = definition.tables.length;
  if (!handle) return { action: 'would-create', revision: definition.revision, tableCount };
  const decide = (inspection: SchemaInspection): SyncSchemaResult['action'] => {
    if (inspection.status === 'current') return 'unchanged';
    if (inspection.status !== 'empty') throw new SchemaRefusedError(refusalReason(options.target, inspection, kind));
    return options.dryRun ? 'would-create' : 'created';
  };
  if (options.dryRun) {
    return { action: decide(await inspectSchema(handle, kind)), revision: definition.revision, tableCount };
  }
  return withDatabaseLock(handle, 'schema', options.lockTimeoutSeconds ?? 60, async (db) => {
    const action = decide(classifySchema(await readSchemaSnapshot({ ...handle, db }), definition));
    if (action === 'created') await createSchema(db, handle.dialect, definition);
    return { action, revision: definition.revision, tableCount };
  });
}

/** A database whose schema a command syncs or reads: the API database, `[database]`, or a mapped cell. */
export interface SchemaTarget {
  kind: SchemaKind;
  /** The mapped cell, or null for the API database and for the configured `[database]`. */
  cell: Cell | null;
  /** The URL as configured or stored (a cell's may be a template). */
  connection: string;
}

/** The outcome for one target: a result, or the error that stopped it (others still ran). */
export interface SchemaOutcome<R> {
  target: SchemaTarget;
  /** The URL actually used (templates rendered); may hold a password, so mask before showing. */
  database: string;
  result?: R;
  error?: unknown;
}

/**
 * The API database as a target. Throws MissingSettingError when it is not configured, and
 * InvalidUrlError/UnsupportedSchemeError for a URL that cannot be used.
 */
export function apiSchemaTarget(dbs: DatabaseContext): SchemaTarget {
  const connection = dbs.apiConnection();
  dbs.checkUrl('api', connection);
  return { kind: 'api', cell: null, connection };
}

/**
 * The cell databases a command means: the configured `[database]` by default, one cell with
 * `cell`, or every mapped cell (cell0 included, id order) with `allCells` (possibly none).
 * Throws the lookup errors of resolveCell and, for any unusable URL, InvalidUrlError.
 */
export async function cellSchemaTargets(
  dbs: DatabaseContext,
  selection: { cell?: string; allCells?: boolean },
): Promise<SchemaTarget[]> {
  if (selection.cell !== undefined && selection.allCells) {
    throw new ConflictingOptionsError('--cell and --all-cells cannot be combined');
  }
  const cells = selection.allCells ? await listCells(dbs) : selection.cell !== undefined ? [await resolveCell(dbs, selection.cell)] : null;
  if (!cells) {
    const connection = dbs.localCellConnection();
    dbs.checkUrl('cell', connection);
    return [{ kind: 'cell', cell: null, connection }];
  }
  // Every URL is checked before any database is touched: bad input refuses the command whole.
  return cells.map((cell) => {
    if (!cell.databaseConnection) {
      throw new MissingSettingError(`cell ${describeCell(cell)} has no database_connection`);
    }
    dbs.checkUrl('cell', cell.databaseConnection);
    return { kind: 'cell' as const, cell, connection: cell.databaseConnection };
  });
}

async function forEachTarget<R>(
  dbs: DatabaseContext,
  targets: SchemaTarget[],
  work: (target: SchemaTarget, database: string) => Promise<R>,
): Promise<Array<SchemaOutcome<R>>> {
  return mapBounded(targets, SCHEMA_PARALLELISM, async (target) => {
    const database = target.cell ? dbs.renderDatabaseUrl(target.connection) : target.connection;
    try {
      return { target, database, result: await work(target, database) };
    } catch (error) {
      return { target, database, error };
    }
  });
}

const SCHEMA_PARALLELISM = 4;

/**
 * Syncs each target's schema (see syncSchema), a few databases at a time; one target's failure
 * is recorded in its outcome and does not stop the others.
 */
export async function syncSchemas(
  dbs: DatabaseContext,
  targets: SchemaTarget[],
  options: { dryRun?: boolean },
): Promise<Array<SchemaOutcome<SyncSchemaResult>>> {
  return forEachTarget(dbs, targets, async (target, database) => {
    const location = `${target.kind === 'api' ? 'API' : 'cell'} database ${maskUrl(database)}`;
    if (options.dryRun && !(await dbs.exists(target.kind, target.connection))) {
      return syncSchema(undefined, target.kind, { dryRun: true, target: location });
    }
    const handle = await open(dbs, target, !options.dryRun);
    return syncSchema(handle, target.kind, { dryRun: options.dryRun, target: location });
  });
}

/** Reads each target's schema version and status; unreachable targets are recorded, not thrown. */
export async function inspectSchemas(
  dbs: DatabaseContext,
  targets: SchemaTarget[],
): Promise<Array<SchemaOutcome<SchemaInspection>>> {
  return forEachTarget(dbs, targets, async (target) => inspectSchema(await open(dbs, target, false), target.kind));
}

function open(dbs: DatabaseContext, target: SchemaTarget, create: boolean): Promise<AnyDatabaseHandle> {
  if (target.kind === 'api') return dbs.api({ create });
  return target.cell ? dbs.cell(target.connection, { create }) : dbs.localCell({ create });
}
