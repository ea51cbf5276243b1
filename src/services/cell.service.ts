import { randomUUID } from 'node:crypto';
import type { ApiDatabase, CellMappingsUpdate } from '../db/api/api-tables.generated';
import { deleteCellMapping, insertCellMapping, listCellMappings, updateCellMapping } from '../db/api/cell-mapping.repository';
import { countHostMappingsByCell, deleteHostMappingsByCell } from '../db/api/host-mapping.repository';
import { countInstanceMappingsByCell, deleteInstanceMappingsByCell } from '../db/api/instance-mapping.repository';
import { newCellMappingRow } from '../db/api/new-api-rows';
import { resetComputeNodesMapped } from '../db/cell/compute-node.repository';
import { countLiveInstances } from '../db/cell/instance.repository';
import { toDbBoolean, toDbTimestamp } from '../db/dialect';
import { columnLimits } from '../db/schema/schema-definition';
import { inTransaction, type Tx } from '../db/unit-of-work';
import { type Cell, cellNameKey, cellNameProblem, cellsNamed, isCell0, isUuidShapedCellName } from '../domain/cell';
import { columnValueProblem } from '../domain/column-value';
import {
  AmbiguousCellError,
  Cell0ToggleError,
  type CellBlocker,
  type CellField,
  CellInUseError,
  DuplicateCellError,
  InvalidTransportUrlError,
  MissingCellUrlError,
  UnstorableValueError,
} from '../domain/errors';
import { transportUrlProblem } from '../domain/transport-url';
import { quoteUrl, SECRET_MASK, urlPasswords } from '../domain/url-masking';
import { renderTemplateUrl } from '../domain/url-template';
import { cellFromRow, cellRef, findCell, pickCell } from './cell-lookup.service';
import type { DatabaseContext } from './database-context.service';
import type { Notice } from './run-events';
import type { Rules } from './rules';

/** The lock every check-then-write of cell mappings holds (a unit of work's named lock). */
export const CELLS_LOCK = 'cells';

/** The configuration values a cell command falls back to: `[database] connection`, `[DEFAULT] transport_url`. */
export interface CellDefaults {
  databaseConnection?: string;
  transportUrl?: string;
}

/** What the cell services follow: the configuration's values and the front's rules. */
export interface CellPolicy {
  defaults: CellDefaults;
  rules: Rules;
}

/** One field a write changed (values as stored: possibly templates, possibly with passwords). */
export interface CellChange {
  field: 'name' | 'database_connection' | 'transport_url' | 'disabled';
  before: string | boolean | null;
  after: string | boolean | null;
}

/** The outcome of a cell write: the cell as it is (or would be, with dryRun), what changed, notices. */
export interface CellWriteResult {
  cell: Cell;
  action: 'created' | 'updated' | 'unchanged';
  changes: CellChange[];
  /** Values taken from the configuration, as notices for the front to word. */
  notices: Notice[];
  dryRun: boolean;
}

interface UrlRenderers {
  database: (url: string) => string;
  transport: (url: string) => string;
  /** `[DEFAULT] transport_url`, whose values transport templates are rendered with. */
  localTransportUrl: string | undefined;
}

function renderers(dbs: DatabaseContext, policy: CellPolicy): UrlRenderers {
  return {
    database: (url) => dbs.renderDatabaseUrl(url),
    transport: (url) => renderTemplateUrl(url, policy.defaults.transportUrl),
    localTransportUrl: policy.defaults.transportUrl,
  };
}

function checkTransportUrl(url: string, render: UrlRenderers): void {
  const rendered = render.transport(url);
  let problem = transportUrlProblem(rendered);
  if (!problem) return;
  // NOTE: a template's rendering holds the local URL's passwords: the error names the template as
  // typed, and any of those passwords its reason might quote is masked.
  if (rendered !== url && render.localTransportUrl !== undefined) {
    for (const secret of urlPasswords(render.localTransportUrl).sort((a, b) => b.length - a.length)) problem = problem.split(secret).join(SECRET_MASK);
  }
  throw new InvalidTransportUrlError(quoteUrl(url), problem);
}

/**
 * Refuses a transport URL oslo.messaging would refuse, after rendering it against the local
 * `[DEFAULT] transport_url` as Nova does. Throws InvalidTransportUrlError.
 */
export function validateTransportUrl(dbs: DatabaseContext, url: string, policy: CellPolicy): void {
  checkTransportUrl(url, renderers(dbs, policy));
}

/** The values of a cell write that checkCellValues looks at (undefined: not written). */
export interface CellValues {
  name?: string;
  databaseConnection?: string;
  transportUrl?: string;
}

/** The cell_mappings column each checked value is written to. */
const CHECKED_COLUMNS = [
  ['name', 'cell name', 'name'],
  ['databaseConnection', 'database URL', 'database_connection'],
  ['transportUrl', 'transport URL', 'transport_url'],
] as const;

/**
 * Refuses, before anything is read or written, the values of a cell write that cellctl will not
 * store: a name that is empty, blank (invisible characters only) or holds a control or bidi
 * character (with printableCellNames) or is a UUID (with uuidCellNamesRefused), and
 * any value Nova's cell_mappings column cannot hold (too long, or characters outside its charset:
 * columnValueProblem), on both dialects alike. The one check every cell write (create, ensure,
 * update, cell0 setup, simple-cell-setup) goes through. Throws UnstorableValueError (URLs masked).
 */
export function checkCellValues(values: CellValues, rules: Rules): void {
  if (values.name !== undefined && rules.printableCellNames) {
    const problem = cellNameProblem(values.name);
    if (problem) throw new UnstorableValueError('cell name', values.name, problem);
  }
  if (values.name !== undefined && rules.uuidCellNamesRefused && isUuidShapedCellName(values.name)) {
    throw new UnstorableValueError('cell name', values.name, { kind: 'uuid' });
  }
  for (const [key, field, column] of CHECKED_COLUMNS) {
    const value = values[key];
    if (value === undefined) continue;
    const problem = columnValueProblem(value, columnLimits('api', 'cell_mappings', column));
    if (problem) throw new UnstorableValueError(field, key === 'name' ? value : quoteUrl(value), problem, `cell_mappings.${column}`);
  }
}

/** A cell that a new or changed cell would clash with. */
interface Candidate {
  name?: string | null;
  databaseConnection?: string;
  transportUrl?: string;
}

/**
 * Throws DuplicateCellError when a candidate collides with another cell (cell0 included): the
 * same name under cellNameKey (when the rules want names unique: as MySQL compares them), or the same database connection or transport
 * URL. With compareRenderedUrls both sides are rendered (a template and its rendering are the
 * same URL); otherwise, as Nova, the rendered stored URL is compared with the raw new one.
 */
export function assertNoCellConflict(dbs: DatabaseContext, policy: CellPolicy, cells: Cell[], candidate: Candidate, excludeId?: number): void {
  const render = renderers(dbs, policy);
  const same = (stored: string | null, given: string | undefined, r: (u: string) => string): boolean =>
    stored !== null && given !== undefined && r(stored) === (policy.rules.compareRenderedUrls ? r(given) : given);
  for (const other of cells) {
    if (other.id === excludeId) continue;
    const clash: [CellField, string] | undefined =
      policy.rules.uniqueCellNames && candidate.name && other.name !== null && cellNameKey(other.name) === cellNameKey(candidate.name)
        ? ['name', candidate.name]
        : same(other.databaseConnection, candidate.databaseConnection, render.database)
          ? ['database_connection', quoteUrl(candidate.databaseConnection!)]
          : same(other.transportUrl, candidate.transportUrl, render.transport)
            ? ['transport_url', quoteUrl(candidate.transportUrl!)]
            : undefined;
    if (clash) throw new DuplicateCellError(clash[0], clash[1], cellRef(other));
  }
}

/** The new cell's URLs: given, else the configuration's (with a notice); throws when there are none. */
function urlsForNewCell(input: Candidate, defaults: CellDefaults, notices: Notice[]): { databaseConnection: string; transportUrl: string } {
  const pick = (field: 'database_connection' | 'transport_url', given: string | undefined, configured: string | undefined): string => {
    if (given !== undefined) return given;
    if (!configured) throw new MissingCellUrlError(field);
    notices.push({ kind: 'value-from-configuration', field, value: configured });
    return configured;
  };
  return {
    databaseConnection: pick('database_connection', input.databaseConnection, defaults.databaseConnection),
    transportUrl: pick('transport_url', input.transportUrl, defaults.transportUrl),
  };
}

/** Input of createCell. */
export interface CreateCellInput {
  name: string;
  databaseConnection?: string;
  transportUrl?: string;
  disabled?: boolean;
  dryRun?: boolean;
}

async function insertNewCell(
  dbs: DatabaseContext,
  tx: Tx<ApiDatabase>,
  cells: Cell[],
  input: CreateCellInput,
  urls: { databaseConnection: string; transportUrl: string },
  policy: CellPolicy,
  now: Date,
): Promise<Cell> {
  assertNoCellConflict(dbs, policy, cells, { name: input.name, ...urls });
  const cell: Cell = { id: 0, uuid: randomUUID(), name: input.name, ...urls, disabled: Boolean(input.disabled) };
  if (!input.dryRun) {
    cell.id = await insertCellMapping(
      tx,
      newCellMappingRow(
        { uuid: cell.uuid, name: cell.name, transport_url: cell.transportUrl, database_connection: cell.databaseConnection, disabled: toDbBoolean(cell.disabled) },
        now,
      ),
    );
  }
  return cell;
}

/**
 * Maps a new cell. URLs not given come from the configuration (with a notice). Throws
 * MissingCellUrlError or InvalidTransportUrlError (Nova's exit 1), InvalidUrlError for a
 * database URL that does not parse, DuplicateCellError when another cell (cell0 included) has
 * the name or the database or transport URL. Checked and written in one unit of work under a lock.
 */
export async function createCell(dbs: DatabaseContext, input: CreateCellInput, policy: CellPolicy, now = new Date()): Promise<CellWriteResult> {
  const render = renderers(dbs, policy);
  const notices: Notice[] = [];
  const urls = urlsForNewCell(input, policy.defaults, notices);
  checkCellValues({ name: input.name, ...urls }, policy.rules);
  checkTransportUrl(urls.transportUrl, render);
  dbs.checkUrl('cell', urls.databaseConnection);
  return inTransaction(
    await dbs.api(),
    async (tx) => {
      const cells = (await listCellMappings(tx)).map(cellFromRow);
      const cell = await insertNewCell(dbs, tx, cells, input, urls, policy, now);
      return { cell, action: 'created' as const, changes: [], notices, dryRun: Boolean(input.dryRun) };
    },
    { lock: CELLS_LOCK },
  );
}

/** Input of ensureCell: an omitted value means "keep what is stored" (on creation: the configuration's). */
export type EnsureCellInput = CreateCellInput;

/**
 * Idempotent create-or-update keyed by name: creates the cell when no cell has the name (as
 * cellsNamed matches it: exactly, else as MySQL's collation compares names),
 * otherwise changes the given values that differ (URLs compared rendered, so a template and its
 * rendering are equal and never cause endless updates), else nothing. Throws like createCell,
 * AmbiguousCellError when several cells share the name, Cell0ToggleError for cell0's state.
 */
export async function ensureCell(dbs: DatabaseContext, input: EnsureCellInput, policy: CellPolicy, now = new Date()): Promise<CellWriteResult> {
  const render = renderers(dbs, policy);
  checkCellValues(input, policy.rules);
  if (input.transportUrl !== undefined) checkTransportUrl(input.transportUrl, render);
  if (input.databaseConnection !== undefined) dbs.checkUrl('cell', input.databaseConnection);
  return inTransaction(
    await dbs.api(),
    async (tx) => {
      const cells = (await listCellMappings(tx)).map(cellFromRow);
      const named = cellsNamed(cells, input.name);
      if (named.length > 1) throw new AmbiguousCellError(input.name, named.map(cellRef));
      if (named.length === 0) {
        const notices: Notice[] = [];
        const urls = urlsForNewCell(input, policy.defaults, notices);
        checkCellValues(urls, policy.rules);
        checkTransportUrl(urls.transportUrl, render);
        dbs.checkUrl('cell', urls.databaseConnection);
        const cell = await insertNewCell(dbs, tx, cells, input, urls, policy, now);
        return { cell, action: 'created' as const, changes: [], notices, dryRun: Boolean(input.dryRun) };
      }
      return applyChanges(dbs, tx, cells, named[0], { ...input, name: undefined }, policy, now, input.dryRun);
    },
    { lock: CELLS_LOCK },
  );
}

/** Input of updateCell: what to change (with updateKeepsOmittedUrls, only what is given changes). */
export interface UpdateCellInput {
  name?: string;
  databaseConnection?: string;
  transportUrl?: string;
  /** The cell's new state: true disables, false enables, undefined keeps it. */
  disabled?: boolean;
  dryRun?: boolean;
}

/**
 * Changes the given fields of one cell (by name or UUID); without updateKeepsOmittedUrls an
 * omitted URL is reset to the configuration's, as Nova does. Throws the lookup errors of findCell,
 * Cell0ToggleError for cell0's state, InvalidTransportUrlError, DuplicateCellError when the new
 * name or URLs belong to another cell.
 */
export async function updateCell(dbs: DatabaseContext, ref: string, input: UpdateCellInput, policy: CellPolicy, now = new Date()): Promise<CellWriteResult> {
  const wanted = policy.rules.updateKeepsOmittedUrls
    ? input
    : { ...input, databaseConnection: input.databaseConnection ?? policy.defaults.databaseConnection, transportUrl: input.transportUrl ?? policy.defaults.transportUrl };
  const render = renderers(dbs, policy);
  checkCellValues(wanted, policy.rules);
  if (wanted.transportUrl !== undefined && policy.rules.refuseInvalidTransportOnUpdate) checkTransportUrl(wanted.transportUrl, render);
  if (wanted.databaseConnection !== undefined) dbs.checkUrl('cell', wanted.databaseConnection);
  return inTransaction(
    await dbs.api(),
    async (tx) => {
      const cells = (await listCellMappings(tx)).map(cellFromRow);
      const cell = pickCell(cells, ref);
      return applyChanges(dbs, tx, cells, cell, wanted, policy, now, input.dryRun);
    },
    { lock: CELLS_LOCK },
  );
}

async function applyChanges(
  dbs: DatabaseContext,
  tx: Tx<ApiDatabase>,
  cells: Cell[],
  cell: Cell,
  wanted: { name?: string; databaseConnection?: string; transportUrl?: string; disabled?: boolean },
  policy: CellPolicy,
  now: Date,
  dryRun?: boolean,
): Promise<CellWriteResult> {
  if (wanted.disabled !== undefined && isCell0(cell)) throw new Cell0ToggleError();
  const render = renderers(dbs, policy);
  const changes: CellChange[] = [];
  const update: CellMappingsUpdate = {};
  if (wanted.name !== undefined && wanted.name !== cell.name) {
    changes.push({ field: 'name', before: cell.name, after: wanted.name });
    update.name = wanted.name;
  }
  const sameUrl = (stored: string | null, given: string, r: (u: string) => string): boolean => stored !== null && r(stored) === r(given);
  if (wanted.databaseConnection !== undefined && !sameUrl(cell.databaseConnection, wanted.databaseConnection, render.database)) {
    changes.push({ field: 'database_connection', before: cell.databaseConnection, after: wanted.databaseConnection });
    update.database_connection = wanted.databaseConnection;
  }
  if (wanted.transportUrl !== undefined && !sameUrl(cell.transportUrl, wanted.transportUrl, render.transport)) {
    changes.push({ field: 'transport_url', before: cell.transportUrl, after: wanted.transportUrl });
    update.transport_url = wanted.transportUrl;
  }
  if (wanted.disabled !== undefined && wanted.disabled !== cell.disabled) {
    changes.push({ field: 'disabled', before: cell.disabled, after: wanted.disabled });
    update.disabled = toDbBoolean(wanted.disabled);
  }
  assertNoCellConflict(
    dbs,
    policy,
    cells,
    { name: update.name, databaseConnection: update.database_connection ?? undefined, transportUrl: update.transport_url ?? undefined },
    cell.id,
  );
  if (changes.length && !dryRun) await updateCellMapping(tx, cell.id, { ...update, updated_at: toDbTimestamp(now) });
  const after: Cell = {
    ...cell,
    name: update.name ?? cell.name,
    databaseConnection: update.database_connection ?? cell.databaseConnection,
    transportUrl: update.transport_url ?? cell.transportUrl,
    disabled: wanted.disabled ?? cell.disabled,
  };
  return { cell: after, action: changes.length ? 'updated' : 'unchanged', changes, notices: [], dryRun: Boolean(dryRun) };
}

/** What deleting a cell removed (or would remove, with dryRun). */
export interface DeleteCellResult {
  cell: Cell;
  hostMappings: number;
  instanceMappings: number;
  computeNodesReset: number;
  dryRun: boolean;
}

/**
 * Deletes a cell mapping. Refused whole (CellInUseError with every blocker) while hosts are
 * mapped (blocker `hosts`), while live instances are in the cell (`instances`, even with force),
 * or while only stale instance mappings remain (`stale-instance-mappings`). With `force`, removes
 * the host and stale instance mappings and (deleteResetsComputeNodes) resets
 * `compute_nodes.mapped` in the cell database. The mappings are recounted under the cells lock
 * before anything is written; a refusal, then or before, changes no row in either database. The
 * two databases cannot change atomically: the cell's is changed inside the API unit of work, just
 * before the mappings are deleted, so a failure of either leaves a state a re-run completes.
 */
export async function deleteCell(dbs: DatabaseContext, ref: string, options: { force?: boolean; dryRun?: boolean }, rules: Rules): Promise<DeleteCellResult> {
  const api = await dbs.api();
  const cell = await findCell(api.db, ref);
  const hostMappings = await countHostMappingsByCell(api.db, cell.id);
  const instanceMappings = await countInstanceMappingsByCell(api.db, cell.id);
  const needsCellDatabase = instanceMappings > 0 || (hostMappings > 0 && options.force && rules.deleteResetsComputeNodes);
  const cellDb = needsCellDatabase && cell.databaseConnection ? await dbs.cellDatabase(cell) : undefined;
  const liveInstances = instanceMappings > 0 && cellDb ? await countLiveInstances(cellDb.db) : 0;

  const blockers: CellBlocker[] = [];
  if (hostMappings > 0 && !options.force) blockers.push({ kind: 'hosts', count: hostMappings });
  if (liveInstances > 0) blockers.push({ kind: 'instances', count: liveInstances });
  if (instanceMappings > 0 && liveInstances === 0 && !options.force) blockers.push({ kind: 'stale-instance-mappings', count: instanceMappings });
  if (blockers.length) throw new CellInUseError(cellRef(cell), blockers);
  const result: DeleteCellResult = { cell, hostMappings, instanceMappings, computeNodesReset: 0, dryRun: Boolean(options.dryRun) };
  if (options.dryRun) return result;
  await inTransaction(
    api,
    async (tx) => {
      // NOTE: host discover and map-instances write mappings without the cells lock: count again
      // inside the unit of work (a locking read where the dialect has one), so what was checked
      // is what is removed, and a refusal here comes before any write, in either database.
      const lock = { forUpdate: api.adapter.lockingReads };
      const hostsNow = await countHostMappingsByCell(tx, cell.id, lock);
      const instancesNow = await countInstanceMappingsByCell(tx, cell.id, lock);
      if (hostsNow !== hostMappings || instancesNow !== instanceMappings) {
        throw new CellInUseError(
          cellRef(cell),
          instancesNow !== instanceMappings
            ? [{ kind: 'instances', count: instancesNow, previous: instanceMappings }]
            : [{ kind: 'hosts', count: hostsNow, previous: hostMappings }],
          true,
        );
      }
      // The cell database changes inside the API unit of work: if it fails, no mapping is deleted
      // and a re-run does it all; if the API commit fails after it, a re-run finds the nodes reset.
      if (hostMappings > 0 && cellDb && rules.deleteResetsComputeNodes) result.computeNodesReset = await resetComputeNodesMapped(cellDb.db);
      if (instanceMappings > 0) await deleteInstanceMappingsByCell(tx, cell.id);
      if (hostMappings > 0) await deleteHostMappingsByCell(tx, cell.id);
      await deleteCellMapping(tx, cell.id);
    },
    { lock: CELLS_LOCK },
  );
  return result;
}
