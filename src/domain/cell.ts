import { CELL0_UUID } from './constants';

/** A cell mapping as services and commands see it (URLs as stored: possibly templates). */
export interface Cell {
  id: number;
  uuid: string;
  name: string | null;
  transportUrl: string | null;
  databaseConnection: string | null;
  disabled: boolean;
}

/** True for cell0, identified by its fixed UUID (the name is cosmetic, as in Nova). */
export function isCell0(cell: Pick<Cell, 'uuid'>): boolean {
  return cell.uuid === CELL0_UUID;
}

/** How messages name a cell: `name (uuid)`, or the UUID alone for an unnamed cell. */
export function describeCell(cell: Pick<Cell, 'uuid' | 'name'>): string {
  return cell.name ? `${cell.name} (${cell.uuid})` : cell.uuid;
}
