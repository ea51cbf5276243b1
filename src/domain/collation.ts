import { GENERAL_CI_WEIGHT_RUNS } from './utf8mb3-general-ci.generated';

let weights: Uint16Array | undefined;

/** Every BMP code unit's utf8mb3_general_ci weight (surrogates weigh themselves), built once. */
function weightTable(): Uint16Array {
  if (weights) return weights;
  const table = new Uint16Array(0x10000);
  for (let cp = 0; cp < 0x10000; cp += 1) table[cp] = cp;
  const runs = GENERAL_CI_WEIGHT_RUNS;
  for (let r = 0; r < runs.length; r += 5) {
    const [first, count, weight, step, gap] = runs.slice(r, r + 5);
    for (let i = 0; i < count; i += 1) table[first + i * gap] = weight + i * step;
  }
  weights = table;
  return table;
}

/** The weight utf8mb3_general_ci gives a BMP code point (the table read from MariaDB 10.11). */
export function generalCiWeight(codePoint: number): number {
  return codePoint <= 0xffff ? weightTable()[codePoint] : codePoint;
}

const SPACE_WEIGHT = 0x20;

/**
 * The key under which MySQL's `utf8mb3_general_ci` (the collation of Nova's `cell_mappings.name`
 * and quota keys) makes two BMP strings equal: each character replaced by its weight (one 16-bit
 * number: `é` = `E`, `ß` = `S`, no expansions or contractions), trailing spaces dropped (PAD
 * SPACE: only U+0020 weighs as a space; a tab does not). Exact for the BMP, which is all utf8mb3
 * holds; a character outside it (refused before it reaches the database) is kept as itself.
 */
export function generalCiKey(text: string): string {
  const table = weightTable();
  const units: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    // NOTE: a surrogate pair (U+10000 and above) stays as its two code units, which weigh themselves.
    units.push(table[unit]);
  }
  let end = units.length;
  while (end > 0 && units[end - 1] === SPACE_WEIGHT) end -= 1;
  let key = '';
  for (let i = 0; i < end; i += 1) key += String.fromCharCode(units[i]);
  return key;
}
