/**
 * Every deliberate difference from Nova listed in docs/nova-differences.md names the rules that
 * carry it (src/services/rules.ts), and every rule is listed there: a new difference cannot be
 * added to the code without the document, nor documented without a rule a front can choose.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CELLCTL_RULES } from '../../src/services/rules';

const DOC = readFileSync(join(__dirname, '..', '..', 'docs', 'nova-differences.md'), 'utf8');

/** The bullets of the document (a bullet runs until the next bullet, heading or blank line). */
const BULLETS = DOC.split(/\n(?=- |## |\n)/).filter((b) => b.startsWith('- '));

function rulesOf(bullet: string): string[] {
  const m = bullet.match(/\[rules: ([^\]]+)\]\s*$/);
  return m ? m[1].split(',').map((r) => r.trim()) : [];
}

describe('rules and docs/nova-differences.md', () => {
  it('finds the differences', () => {
    expect(BULLETS.length).toBeGreaterThan(10);
  });

  it('names, for every difference, rules that exist', () => {
    const unmapped = BULLETS.filter((b) => rulesOf(b).length === 0).map((b) => b.slice(0, 60));
    expect(unmapped).toEqual([]);
    const unknown = BULLETS.flatMap(rulesOf).filter((r) => !(r in CELLCTL_RULES));
    expect(unknown).toEqual([]);
  });

  it('lists every rule as a difference', () => {
    const named = new Set(BULLETS.flatMap(rulesOf));
    expect(Object.keys(CELLCTL_RULES).filter((r) => !named.has(r))).toEqual([]);
  });
});
