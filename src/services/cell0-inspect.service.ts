/**
 * Debugging cell0: the instances buried there, newest first, with their latest fault and what it
 * means, and everything about one of them, its request spec from the API database included.
 */
import { findRequestSpec } from '../db/api/build-request.repository';
import { findBuriedInstance, listBuriedInstances, type BuriedInstanceDetail, type BuriedInstanceRecord } from '../db/cell/cell0-instances.repository';
import { rowTimestamp } from '../db/new-row-defaults';
import { isCell0, type Cell } from '../domain/cell';
import { Cell0MissingError, InstanceNotInCell0Error } from '../domain/errors';
import { listCells } from './cell-lookup.service';
import type { DatabaseContext } from './database-context.service';

/** Rows read from cell0 per query while filtering. */
const PAGE = 1000;

/** Options of listCell0Instances. */
export interface ListCell0Options {
  project?: string;
  /** Only instances created longer ago than this many seconds. */
  olderThanSeconds?: number;
  /** Only instances whose latest fault message contains this text (case-insensitive). */
  faultContains?: string;
  limit?: number;
  now?: Date;
}

async function cell0Of(dbs: DatabaseContext): Promise<Cell> {
  const cell0 = (await listCells(dbs)).find(isCell0);
  if (!cell0) throw new Cell0MissingError();
  return cell0;
}

/** The live instances of cell0, newest first, filtered. Throws Cell0MissingError when no cell0 is mapped. Reads only. */
export async function listCell0Instances(dbs: DatabaseContext, options: ListCell0Options = {}): Promise<BuriedInstanceRecord[]> {
  const cell0 = await cell0Of(dbs);
  const now = options.now ?? new Date();
  const createdBefore = options.olderThanSeconds === undefined ? undefined : rowTimestamp(new Date(now.getTime() - options.olderThanSeconds * 1000));
  const wanted = options.faultContains?.toLowerCase();
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const found: BuriedInstanceRecord[] = [];
  return dbs.withCell(cell0, async (handle) => {
    let after: { createdAt: string | null; id: number } | undefined;
    while (found.length < limit) {
      const page = await listBuriedInstances(handle.db, { project: options.project, createdBefore, after, limit: PAGE });
      for (const { id: _id, ...row } of page) {
        if (wanted !== undefined && !(row.faultMessage ?? '').toLowerCase().includes(wanted)) continue;
        if (found.length < limit) found.push(row);
      }
      if (page.length < PAGE) break;
      const last = page[page.length - 1]!;
      after = { createdAt: last.createdAt, id: last.id };
    }
    return found;
  });
}

/** One buried instance with its request spec (JSON text, or null when the API database has none). */
export interface Cell0InstanceView extends BuriedInstanceDetail {
  requestSpec: string | null;
}

/**
 * Everything about one instance of cell0. Throws InstanceNotInCell0Error when cell0 has no row
 * of it (naming its cell when it is mapped elsewhere), Cell0MissingError without cell0. Reads only.
 */
export async function showCell0Instance(dbs: DatabaseContext, uuid: string): Promise<Cell0InstanceView> {
  const cell0 = await cell0Of(dbs);
  const detail = await dbs.withCell(cell0, (handle) => findBuriedInstance(handle.db, uuid.toLowerCase()));
  if (!detail) throw new InstanceNotInCell0Error(uuid);
  return { ...detail, requestSpec: await findRequestSpec((await dbs.api()).db, detail.instance.uuid) };
}
