import { findCellMappingById } from '../db/api/cell-mapping.repository';
import { findInstanceMapping } from '../db/api/instance-mapping.repository';
import { findInstanceByUuid } from '../db/cell/instance.repository';
import type { Cell } from '../domain/cell';
import { InvalidValueError } from '../domain/errors';
import { cellFromRow } from './cell-lookup.service';
import type { DatabaseContext } from './database-context.service';

/** Nova's verify_instance outcomes, in the order of its exit codes 0-4. */
export type InstanceVerdict = 'mapped' | 'not-mapped' | 'no-cell' | 'deleted' | 'archived';

/** What instance verify found: the verdict and, when the mapping names one, the cell. */
export interface VerifyInstanceResult {
  uuid: string;
  verdict: InstanceVerdict;
  cell?: Cell;
}

const UUID = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

/**
 * Checks an instance the way Nova's verify_instance does: no mapping; a mapping without a cell
 * (normal while it builds, or when burial in cell0 failed); alive in its cell; soft-deleted but
 * still mapped; gone from the cell (archived) but still mapped. Throws InvalidValueError for a
 * malformed UUID and the database errors of the cell it reads.
 */
export async function verifyInstance(dbs: DatabaseContext, uuid: string): Promise<VerifyInstanceResult> {
  if (!UUID.test(uuid)) throw new InvalidValueError('instance', uuid, 'an instance UUID');
  const api = (await dbs.api()).db;
  const mapping = await findInstanceMapping(api, uuid);
  if (!mapping) return { uuid, verdict: 'not-mapped' };
  if (mapping.cell_id === null) return { uuid, verdict: 'no-cell' };
  const row = await findCellMappingById(api, mapping.cell_id);
  if (!row) return { uuid, verdict: 'no-cell' };
  const cell = cellFromRow(row);
  const instance = await dbs.withCell(cell, (handle) => findInstanceByUuid(handle.db, uuid));
  if (!instance) return { uuid, verdict: 'archived', cell };
  return { uuid, verdict: (instance.deleted ?? 0) === 0 ? 'mapped' : 'deleted', cell };
}
