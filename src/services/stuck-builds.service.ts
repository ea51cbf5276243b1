/**
 * Stuck builds: build requests whose instance never reached a cell, which Nova leaves for ever
 * (nova-details §2.2). Listing them, burying them in cell0 as Nova's conductor would have had the
 * scheduler failed (cell0-burial.service), or removing what Nova's API wrote for them.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { deleteStuckBuild, listStuckBuildRequests, type StuckBuildRecord } from '../db/api/stuck-build.repository';
import { findBurialState } from '../db/cell/cell0-burial.repository';
import { rowTimestamp } from '../db/new-row-defaults';
import { inTransaction } from '../db/unit-of-work';
import { isCell0, type Cell } from '../domain/cell';
import type { BootRequest } from '../domain/cell0-burial';
import { Cell0MissingError } from '../domain/errors';
import { bootRequestFromBuildRequest, buildRequestSummary, DEFAULT_STUCK_AGE_SECONDS, requestedVolumes, STUCK_REASON, UnburiableBuildRequest, type StuckMapping } from '../domain/stuck-builds';
import { buryInCell0 } from './cell0-burial.service';
import { listCells } from './cell-lookup.service';
import type { DatabaseContext } from './database-context.service';

/** One stuck build, as listed. */
export interface StuckBuild {
  uuid: string;
  /** The server name from the build request's instance (null when it cannot be read). */
  name: string | null;
  projectId: string;
  userId: string | null;
  createdAt: string | null;
  mapping: StuckMapping;
  reservationId: string | null;
  launchIndex: number | null;
}

/** Options of every stuck-build operation. */
export interface StuckOptions {
  /** Only build requests older than this many seconds (default DEFAULT_STUCK_AGE_SECONDS; 0: all). */
  olderThanSeconds?: number;
  now?: Date;
}

/** What became of one stuck build. */
export interface StuckOutcome {
  build: StuckBuild;
  /**
   * buried (in cell0) / deleted (its API rows); placed: mapped to a cell meanwhile, left alone;
   * skipped: not handled, `reason` says why; partial: cell0 holds a burial of it cut short (its
   * instance row without the error state and fault a complete burial ends with), nothing written,
   * `reason` says what to do.
   */
  outcome: 'buried' | 'deleted' | 'placed' | 'skipped' | 'partial';
  reason?: string;
  /** Volumes its block devices name (a delete leaves their Cinder attachments to the operator). */
  volumes: string[];
}

/** What buryStuckBuilds or deleteStuckBuilds did (with dryRun: would do; nothing written). */
export interface StuckRunResult {
  outcomes: StuckOutcome[];
  dryRun: boolean;
}

function mappingOf(r: StuckBuildRecord): StuckMapping {
  if (r.mapping_id === null) return 'missing';
  return r.mapping_cell_id === null ? 'no-cell' : 'cell0';
}

function toStuckBuild(r: StuckBuildRecord): StuckBuild {
  const summary = buildRequestSummary(r.instance);
  return {
    uuid: r.instance_uuid,
    name: summary.name,
    projectId: r.project_id,
    userId: r.mapping_user_id ?? summary.userId,
    createdAt: r.created_at,
    mapping: mappingOf(r),
    reservationId: summary.reservationId,
    launchIndex: summary.launchIndex,
  };
}

async function stuckRecords(dbs: DatabaseContext, options: StuckOptions, cell0: Cell | undefined): Promise<StuckBuildRecord[]> {
  const now = options.now ?? new Date();
  const age = options.olderThanSeconds ?? DEFAULT_STUCK_AGE_SECONDS;
  const createdBefore = age > 0 ? rowTimestamp(new Date(now.getTime() - age * 1000)) : undefined;
  return listStuckBuildRequests((await dbs.api()).db, { createdBefore, cell0Id: cell0?.id });
}

/**
 * The stuck builds, oldest first: build requests older than the age whose mapping has no cell, is
 * missing, or points at cell0 (a burial cut short; only when cell0 is mapped). Reads only.
 */
export async function listStuckBuilds(dbs: DatabaseContext, options: StuckOptions = {}): Promise<StuckBuild[]> {
  const cell0 = (await listCells(dbs)).find(isCell0);
  return (await stuckRecords(dbs, options, cell0)).map(toStuckBuild);
}

/** Why a stuck build whose burial cell0 holds only in part is left alone (the front says what to do). */
const PARTIAL_BURIAL_REASON = 'cell0 holds a burial of it cut short (its instance row lacks the error state and fault a burial ends with)';

/** Options of buryStuckBuilds. */
export interface BuryStuckOptions extends StuckOptions {
  dryRun?: boolean;
  /** The fault's and event's host, as Nova's `[DEFAULT] host` (default: this machine's name). */
  conductorHost?: string;
}

/**
 * Buries every stuck build in cell0 as Nova's conductor buries an instance the scheduler found no
 * host for (NoValidHost, code 500, STUCK_REASON): the instance as its build
 * request holds it, its own block devices and tags; one request id per reservation, as one
 * conductor call has one context. Oldest first, a reservation's instances together by launch index.
 * Each instance is buried with buryInCell0 (cell0 rows first, mapping next, build request last), so
 * a run cut short anywhere is completed by the next; one whose burial cell0 holds only in part
 * (Nova's conductor died after instance.create()) is reported `partial` and left alone. A build
 * request holding what cellctl would not write as Nova does (a key pair, user data, ...) is
 * skipped and said why. Throws Cell0MissingError,
 * writing nothing, when no cell0 is mapped.
 */
export async function buryStuckBuilds(dbs: DatabaseContext, options: BuryStuckOptions = {}): Promise<StuckRunResult> {
  const cell0 = (await listCells(dbs)).find(isCell0);
  if (!cell0) throw new Cell0MissingError();
  const now = options.now ?? new Date();
  const records = await stuckRecords(dbs, { ...options, now }, cell0);
  // cell0 must answer before anything is written.
  if (!options.dryRun && records.length > 0) await dbs.withCell(cell0, (handle) => handle.db.selectFrom('instances').select('id').limit(1).execute());

  // A reservation's instances together (in launch index order), where its first one stands.
  const groups = new Map<string, Array<{ record: StuckBuildRecord; build: StuckBuild }>>();
  for (const record of records) {
    const build = toStuckBuild(record);
    const key = build.reservationId === null ? `uuid:${build.uuid}` : `${build.projectId}\u0000${build.reservationId}`;
    groups.set(key, [...(groups.get(key) ?? []), { record, build }]);
  }
  const outcomes: StuckOutcome[] = [];
  const conductorHost = options.conductorHost || hostname();
  for (const members of groups.values()) {
    members.sort((a, b) => (a.build.launchIndex ?? 0) - (b.build.launchIndex ?? 0));
    const requestId = `req-${randomUUID()}`;
    for (const { record, build } of members) {
      const volumes = requestedVolumes(record.block_device_mappings);
      let request: BootRequest;
      try {
        request = bootRequestFromBuildRequest(
          { instanceUuid: record.instance_uuid, projectId: record.project_id, userId: record.mapping_user_id, instance: record.instance, blockDeviceMappings: record.block_device_mappings, tags: record.tags },
          requestId,
          now,
        );
      } catch (error) {
        if (!(error instanceof UnburiableBuildRequest)) throw error;
        outcomes.push({ build, outcome: 'skipped', reason: `its build request cannot be buried as Nova would: ${error.message}`, volumes });
        continue;
      }
      if (options.dryRun) {
        const partial = (await dbs.withCell(cell0, (handle) => findBurialState(handle.db, build.uuid))) === 'partial';
        outcomes.push(partial ? { build, outcome: 'partial', reason: PARTIAL_BURIAL_REASON, volumes } : { build, outcome: 'buried', volumes });
        continue;
      }
      const details = `cellctl buried a stuck build: the build request of ${build.uuid} had no cell ${build.createdAt === null ? '' : `since ${build.createdAt} UTC `}and no conductor was scheduling it.`;
      const result = await buryInCell0(dbs, request, { kind: 'no-valid-host', reason: STUCK_REASON }, { conductorHost, details, now });
      if (result.partial.includes(build.uuid)) {
        outcomes.push({ build, outcome: 'partial', reason: PARTIAL_BURIAL_REASON, volumes });
        continue;
      }
      outcomes.push({ build, outcome: result.alreadyMapped.includes(build.uuid) ? 'placed' : 'buried', volumes });
    }
  }
  return { outcomes, dryRun: Boolean(options.dryRun) };
}

/**
 * Removes the stuck builds' API rows, one transaction each: the build request, the mapping while it
 * has no cell, the request spec and the instance group memberships (Nova's API, deleting a server
 * still in build, destroys the build request and marks the mapping queued for delete, and nothing
 * ever removes the rest). One whose burial was cut short (mapping on cell0, or a row in cell0) is
 * skipped: its instance is in cell0, and would lose its mapping. One placed meanwhile is left
 * alone. Writes nothing in any cell.
 */
export async function deleteStuckBuilds(dbs: DatabaseContext, options: StuckOptions & { dryRun?: boolean } = {}): Promise<StuckRunResult> {
  const cell0 = (await listCells(dbs)).find(isCell0);
  const api = await dbs.api();
  const outcomes: StuckOutcome[] = [];
  for (const record of await stuckRecords(dbs, options, cell0)) {
    const build = toStuckBuild(record);
    const volumes = requestedVolumes(record.block_device_mappings);
    if (build.mapping === 'cell0') {
      outcomes.push({ build, outcome: 'skipped', reason: 'its burial in cell0 was cut short: bury it again to finish, then delete it from cell0', volumes });
      continue;
    }
    // A row in cell0 (a burial cut short before its mapping was pointed there) would lose its mapping.
    if (cell0 && (await dbs.withCell(cell0, (handle) => findBurialState(handle.db, build.uuid))) !== 'none') {
      outcomes.push({ build, outcome: 'skipped', reason: 'cell0 holds a row of it (a burial cut short): bury it again to finish it, or purge that row from cell0 first', volumes });
      continue;
    }
    if (options.dryRun) {
      outcomes.push({ build, outcome: 'deleted', volumes });
      continue;
    }
    const deletion = await inTransaction(api, (tx) => deleteStuckBuild(tx, build.uuid), { retry: true });
    outcomes.push({ build, outcome: deletion.placed ? 'placed' : 'deleted', volumes });
  }
  return { outcomes, dryRun: Boolean(options.dryRun) };
}
