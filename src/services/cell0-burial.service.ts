/**
 * Burying instances that could not be scheduled in cell0, as Nova's conductor does
 * (nova/conductor/manager.py _bury_in_cell0): the rows in cell0 first, one transaction per
 * instance and skipped when a complete burial is there, then the mapping pointed at cell0 (only
 * while it has no cell), and the build requests deleted once every instance is buried. An instance
 * whose burial cell0 holds only in part is left alone and reported. The request specs stay.
 * A crash anywhere leaves nothing a re-run would write twice.
 */
import { hostname } from 'node:os';
import { deleteBuildRequests, findBuildRequestCreatedAt } from '../db/api/build-request.repository';
import { findInstanceMapping, pointMappingAtCell } from '../db/api/instance-mapping.repository';
import { findBurialState, writeBuriedInstance } from '../db/cell/cell0-burial.repository';
import { inTransaction } from '../db/unit-of-work';
import { isCell0 } from '../domain/cell';
import type { BootRequest, SchedulingFailure } from '../domain/cell0-burial';
import { Cell0MissingError } from '../domain/errors';
import { listCells } from './cell-lookup.service';
import type { DatabaseContext } from './database-context.service';

/** Options of buryInCell0. */
export interface BuryOptions {
  /** The fault's and event's host, as Nova's `[DEFAULT] host` (default: this machine's name). */
  conductorHost?: string;
  /** instance_faults.details of a 500 fault (Nova writes its Python traceback there): why no host fitted. */
  details?: string;
  now?: Date;
}

/** What buryInCell0 did per instance. */
export interface BuryResult {
  /** Buried now, or found already buried by an earlier run (their mapping and build request completed). */
  buried: string[];
  /** Mapped to a cell already (placed meanwhile): left alone, as Nova leaves them. */
  alreadyMapped: string[];
  /**
   * cell0 holds a burial of theirs cut short (findBurialState: e.g. Nova's conductor died after
   * instance.create(), leaving it building with no fault): nothing written, their mapping and build
   * request left as they are, so they stay stuck builds until the partial rows are purged.
   */
  partial: string[];
}

/**
 * Buries every instance of `request` in cell0 after `failure`. Throws Cell0MissingError, before
 * writing anything, when no cell0 is mapped (Nova logs an error and leaves the build requests and
 * cell-less mappings for ever).
 */
export async function buryInCell0(dbs: DatabaseContext, request: BootRequest, failure: SchedulingFailure, options: BuryOptions = {}): Promise<BuryResult> {
  const cell0 = (await listCells(dbs)).find(isCell0);
  if (!cell0) throw new Cell0MissingError();
  const api = await dbs.api();
  const now = options.now ?? new Date();
  const result: BuryResult = { buried: [], alreadyMapped: [], partial: [] };
  for (const instance of request.instances) {
    const mapping = await findInstanceMapping(api.db, instance.uuid);
    if (mapping?.cell_id !== null && mapping?.cell_id !== undefined && mapping.cell_id !== cell0.id) {
      result.alreadyMapped.push(instance.uuid);
      continue;
    }
    const createdAt = (await findBuildRequestCreatedAt(api.db, instance.uuid)) ?? now;
    const state = await dbs.withCell(cell0, (handle) =>
      inTransaction(
        handle,
        async (tx) => {
          const found = await findBurialState(tx, instance.uuid);
          if (found !== 'none') return found;
          await writeBuriedInstance(tx, {
            request,
            instance,
            failure,
            conductorHost: options.conductorHost ?? hostname(),
            faultDetails: failure.kind === 'no-valid-host' ? (options.details ?? '') : '',
            eventTraceback: '',
            createdAt,
            now,
          });
          return 'written' as const;
        },
        { retry: true },
      ),
    );
    if (state === 'partial') {
      result.partial.push(instance.uuid);
      continue;
    }
    if (mapping) await inTransaction(api, (tx) => pointMappingAtCell(tx, instance.uuid, cell0.id, now), { retry: true });
    result.buried.push(instance.uuid);
  }
  await inTransaction(api, (tx) => deleteBuildRequests(tx, result.buried), { retry: true });
  return result;
}
