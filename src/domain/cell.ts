import { generalCiKey } from './collation';
import { CELL0_UUID } from './constants';
import type { ValueProblem } from './errors';

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

/**
 * The key under which two cell names are the same name: as MySQL's `utf8mb3_general_ci`, the
 * collation of Nova's `cell_mappings.name`, compares them (generalCiKey: exact for the BMP, from a
 * weight table read from MariaDB), so SQLite deployments compare names as MySQL ones do and no
 * comparison depends on the SQL engine.
 */
export function cellNameKey(name: string): string {
  return generalCiKey(name);
}

/**
 * The cells a name addresses: those with exactly this name if any (so each of two cells whose
 * names collide under the collation stays addressable), else those whose name is the same under
 * cellNameKey. Several cells only when the name itself is shared.
 */
export function cellsNamed<C extends Pick<Cell, 'name'>>(cells: C[], name: string): C[] {
  const exact = cells.filter((c) => c.name === name);
  if (exact.length) return exact;
  const key = cellNameKey(name);
  return cells.filter((c) => c.name !== null && cellNameKey(c.name) === key);
}

const UUID_SHAPED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True when a cell name is a UUID (any case): a lookup takes it as a cell's UUID first, so a cell
 * so named could not be reached by its name once any cell has that UUID (cell0's included).
 */
export function isUuidShapedCellName(name: string): boolean {
  return UUID_SHAPED.test(name);
}

/**
 * Characters that print as nothing or as blank space: format characters (zero-width spaces and
 * joiners, soft hyphen, byte-order mark, bidi marks), space and line/paragraph separators,
 * U+180E and the U+2060..U+206F block (some unassigned there).
 */
const INVISIBLE = /[\p{Cf}\p{Zs}\p{Zl}\p{Zp}\u180e\u200b-\u200f\u2060-\u206f\ufeff]/gu;

/** Bidirectional controls: embeddings, overrides, isolates and marks, which reorder what follows on screen. */
const BIDI_CONTROL = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/**
 * What makes a cell name unusable, or undefined: empty, blank (nothing left once whitespace and
 * invisible characters are removed), holding a control character or line separator (a name on two
 * lines prints as two rows) or a bidirectional control (`q\u202eevil` shows as `qlive`). Nova
 * accepts any name; the rules say whether a front refuses these (printableCellNames).
 */
export function cellNameProblem(name: string): ValueProblem | undefined {
  if (name === '') return { kind: 'empty' };
  if (name.trim().replace(INVISIBLE, '') === '') return { kind: 'blank' };
  const control = /[\p{Cc}\u2028\u2029]/u.exec(name);
  if (control) return { kind: 'control-character', codePoint: control[0].codePointAt(0)! };
  const bidi = BIDI_CONTROL.exec(name);
  if (bidi) return { kind: 'bidi-control', codePoint: bidi[0].codePointAt(0)! };
  return undefined;
}
