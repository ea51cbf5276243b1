import type { ValueProblem } from './errors';

/** A column of Nova's schema as MySQL defines it: its COLUMN_TYPE and its character set. */
export interface ColumnLimits {
  /** MySQL's COLUMN_TYPE (`varchar(255)`, `text`, ...). */
  type: string;
  /** The column's character set (its table's when it has none of its own); null: the database's default. */
  charset: string | null;
}

/** The byte limits of MySQL's text types (L + 2, 1, 3 or 4 length bytes). */
const TEXT_BYTES: Record<string, number> = { tinytext: 255, text: 65_535, mediumtext: 16_777_215, longtext: 4_294_967_295 };

/**
 * Why MySQL (strict, as Nova runs it) would refuse to store `value` in the column, or undefined:
 * `charset` when it has a character the column's charset cannot hold (utf8mb3: none beyond
 * U+FFFF, the 4-byte UTF-8 ones such as emoji; latin1/ascii: none beyond their range),
 * `too-long` when it is longer than a (var)char's length in characters or a text type's in bytes.
 * Other column types, and charsets cellctl does not know, are not checked.
 */
export function columnValueProblem(value: string, column: ColumnLimits): ValueProblem | undefined {
  const charset = column.charset?.toLowerCase() ?? null;
  const maxCodePoint = charset === 'utf8mb3' || charset === 'utf8' ? 0xffff : charset === 'latin1' ? 0xff : charset === 'ascii' ? 0x7f : undefined;
  if (maxCodePoint !== undefined) {
    for (const ch of value) {
      const cp = ch.codePointAt(0)!;
      if (cp > maxCodePoint) return { kind: 'charset', charset: charset!, codePoint: cp };
    }
  }
  const type = column.type.toLowerCase();
  const chars = /^(?:var)?char\((\d+)\)/.exec(type);
  if (chars) {
    const length = [...value].length;
    const limit = Number(chars[1]);
    return length > limit ? { kind: 'too-long', limit, unit: 'characters', length } : undefined;
  }
  const bytesLimit = TEXT_BYTES[type];
  if (bytesLimit !== undefined) {
    // NOTE: MySQL counts a text column in bytes of its charset: one per character in the
    // single-byte charsets (checked above), UTF-8's otherwise.
    const length = maxCodePoint !== undefined && maxCodePoint <= 0xff ? [...value].length : utf8Length(value);
    return length > bytesLimit ? { kind: 'too-long', limit: bytesLimit, unit: 'bytes', length } : undefined;
  }
  return undefined;
}

function utf8Length(value: string): number {
  let bytes = 0;
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return bytes;
}
