/**
 * generalCiKey against a live MariaDB: for a sample of pairs (every character whose weight is not
 * itself against its weight, every BMP character against its JavaScript upper case and its
 * unaccented base, and names with padding), the server's `=` under utf8mb3_general_ci holds
 * exactly when the keys are equal. MySQL-only: skipped (and counted as skipped) without a server.
 */
import type mysql from 'mysql2/promise';
import { generalCiKey, generalCiWeight } from '../../src/domain/collation';
import { withAdmin } from '../support/mysql-admin';
import { mysqlAvailable } from '../support/test-environment';

const PAIRS_PER_QUERY = 400;

function isSurrogate(cp: number): boolean {
  return cp >= 0xd800 && cp <= 0xdfff;
}

/** The pairs to compare: where the key folds, and where a Unicode-minded fold would. */
function samplePairs(): Array<[string, string]> {
  const pairs = new Map<string, [string, string]>();
  const add = (a: string, b: string) => {
    if (a !== b) pairs.set(`${a}\u0000${b}`, [a, b]);
  };
  for (let cp = 0; cp < 0x10000; cp += 1) {
    if (isSurrogate(cp)) continue;
    const ch = String.fromCharCode(cp);
    if (generalCiWeight(cp) !== cp) add(ch, String.fromCharCode(generalCiWeight(cp)));
    const upper = ch.toUpperCase();
    if (upper.length === 1) add(ch, upper);
    const base = ch.normalize('NFD')[0];
    if (base.length === 1 && !isSurrogate(base.charCodeAt(0))) add(ch, base.toUpperCase().length === 1 ? base.toUpperCase() : base);
  }
  const names = ['cell1', 'CELL1', 'cell1 ', 'cell1  ', ' cell1', 'cell1\t', 'cell1\u00a0', 'Cèll1', 'straße', 'STRASSE', 'STRASE', 'ϱόδος', 'ΡΟΔΟΣ', 'ёлка', 'ЕЛКА', 'ƀ-1', 'Ƀ-1', 'a;b', 'a\u037eb'];
  for (const a of names) for (const b of names) add(a, b);
  return [...pairs.values()];
}

async function serverEquals(c: mysql.Connection, pairs: Array<[string, string]>): Promise<boolean[]> {
  const expr = 'CONVERT(? USING utf8mb3) COLLATE utf8mb3_general_ci = CONVERT(? USING utf8mb3) COLLATE utf8mb3_general_ci';
  const sql = `SELECT ${pairs.map((_, i) => `${expr} AS s${i}`).join(', ')}`;
  const [rows] = await c.query(sql, pairs.flat());
  const row = (rows as Array<Record<string, number>>)[0];
  return pairs.map((_, i) => Number(row[`s${i}`]) === 1);
}

(mysqlAvailable() ? describe : describe.skip)('generalCiKey against MariaDB [mysql]', () => {
  it('is equal for two strings exactly when the server compares them equal', async () => {
    const pairs = samplePairs();
    expect(pairs.length).toBeGreaterThan(1000);
    const disagreements = await withAdmin(async (c) => {
      const found: string[] = [];
      for (let i = 0; i < pairs.length; i += PAIRS_PER_QUERY) {
        const batch = pairs.slice(i, i + PAIRS_PER_QUERY);
        const equal = await serverEquals(c, batch);
        batch.forEach(([a, b], j) => {
          if (equal[j] !== (generalCiKey(a) === generalCiKey(b))) found.push(`${JSON.stringify(a)} ${equal[j] ? '=' : '≠'} ${JSON.stringify(b)}`);
        });
      }
      return found;
    });
    expect(disagreements).toEqual([]);
  });
});
