/**
 * The utf8mb3_general_ci key against the weight table read from MariaDB
 * (schemas/tools/generate-general-ci-weights.js): every BMP character, then PAD SPACE and the
 * cases a review found the earlier approximation getting wrong. test/integration/collation.test.ts
 * checks the same key against a live server.
 */
import { createHash } from 'node:crypto';
import { cellNameKey, cellsNamed } from '../../src/domain/cell';
import { generalCiKey, generalCiWeight } from '../../src/domain/collation';
import { GENERAL_CI_WEIGHTS_SHA256 } from '../../src/domain/utf8mb3-general-ci.generated';

const same = (a: string, b: string) => generalCiKey(a) === generalCiKey(b);

describe('generalCiKey (utf8mb3_general_ci)', () => {
  it('weighs every BMP character as the server did (the SHA-256 of the 65,536 weights it gave)', () => {
    const all = Buffer.alloc(0x10000 * 2);
    const odd: number[] = [];
    for (let cp = 0; cp < 0x10000; cp += 1) {
      // A character followed by one that weighs itself, so that a space is not dropped as padding.
      const key = generalCiKey(`${String.fromCharCode(cp)}!`);
      if (key.length !== 2 || key[1] !== '!' || key.charCodeAt(0) !== generalCiWeight(cp)) odd.push(cp);
      all.writeUInt16BE(key.charCodeAt(0), cp * 2);
    }
    expect(odd).toEqual([]);
    expect(createHash('sha256').update(all).digest('hex')).toBe(GENERAL_CI_WEIGHTS_SHA256);
  });

  it('ignores trailing spaces only (PAD SPACE): not tabs, not leading or inner spaces', () => {
    expect(generalCiKey('cell1  ')).toBe(generalCiKey('CELL1'));
    expect(generalCiKey('   ')).toBe('');
    expect(same('cell1\t', 'cell1')).toBe(false);
    expect(same(' cell1', 'cell1')).toBe(false);
    expect(same('cell 1', 'cell1')).toBe(false);
    expect(same('cell1\u00a0', 'cell1')).toBe(false);
  });

  it('compares one character by one weight: no expansions, no contractions', () => {
    expect(same('straße', 'STRASE')).toBe(true);
    expect(same('straße', 'STRASSE')).toBe(false);
    expect(same('ﬁ', 'FI')).toBe(false);
    expect(same('Æ', 'æ')).toBe(true);
    expect(same('Æ', 'AE')).toBe(false);
  });

  it('agrees with the server on the cases the earlier approximation got wrong', () => {
    // Equal under MariaDB: Greek Extended, Cyrillic with diacritics, ϱ/ρ, ς/σ, titlecase digraphs, ı/i.
    for (const [a, b] of [['ϱ', 'ρ'], ['ς', 'σ'], ['ἀ', 'Α'], ['ᾷ', 'Α'], ['ё', 'Е'], ['ї', 'І'], ['ǅ', 'Ǆ'], ['ǅ', 'ǆ'], ['µ', 'Μ'], ['ı', 'i'], ['ſ', 's'], ['ǰ', 'J'], ['Ω', 'Ω'], ['K', 'K']]) {
      expect({ a, b, same: same(a, b) }).toEqual({ a, b, same: true });
    }
    // Different under MariaDB: letters its tables do not fold, and look-alikes of other weights.
    for (const [a, b] of [['ƀ', 'Ƀ'], [';', '\u037e'], ['ŉ', 'N']]) {
      expect({ a, b, same: same(a, b) }).toEqual({ a, b, same: false });
    }
  });

  it('keeps characters outside the BMP as themselves', () => {
    expect(generalCiKey('a😀')).toBe('A😀');
    expect(generalCiWeight(0x1f600)).toBe(0x1f600);
  });
});

describe('cellNameKey and cellsNamed', () => {
  it('use the collation key, an exact name first', () => {
    expect(cellNameKey('Région-1 ')).toBe(generalCiKey('REGION-1'));
    const cells = [{ name: 'ϱ1' }, { name: 'ρ1' }, { name: 'x' }];
    expect(cellsNamed(cells, 'ρ1')).toEqual([{ name: 'ρ1' }]);
    expect(cellsNamed(cells, 'Ρ1')).toEqual([{ name: 'ϱ1' }, { name: 'ρ1' }]);
    expect(cellsNamed(cells, 'X ')).toEqual([{ name: 'x' }]);
  });
});
