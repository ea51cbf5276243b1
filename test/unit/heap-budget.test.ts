import { getHeapStatistics } from 'node:v8';
import { collectGarbage, HeapBudget } from '../../src/services/heap-budget';

const MiB = 1024 * 1024;
const usedHeap = (): number => getHeapStatistics().used_heap_size;

/** About `mib` MiB of small objects, as a batch's rows are. */
function garbage(mib: number): Array<{ uuid: string; n: number }> {
  return Array.from({ length: mib * 10_000 }, (_, n) => ({ uuid: `row-${n}-${'x'.repeat(36)}`, n }));
}

/** The used heap while `mib` MiB of garbage-to-be is still held. */
function heapHolding(mib: number): number {
  const rows = garbage(mib);
  return rows.length > 0 ? usedHeap() : 0;
}

describe('HeapBudget', () => {
  it('leaves a heap that grew less than the headroom alone', () => {
    const collections: number[] = [];
    const budget = new HeapBudget(256 * MiB, () => collections.push(usedHeap()));
    const rows = garbage(4);
    expect(budget.check()).toBe(false);
    expect(rows).toHaveLength(40_000);
    expect(collections).toEqual([]);
  });

  it('collects the garbage once the heap outgrew the headroom, then measures from what is left', () => {
    // The budget counts from the heap as it is; what earlier tests left must not count.
    collectGarbage();
    const budget = new HeapBudget(4 * MiB);
    const held = heapHolding(40);
    expect(budget.check()).toBe(true);
    expect(usedHeap()).toBeLessThan(held - 20 * MiB);
    // The next limit is counted from the collected heap: a little more allocation does not collect again.
    expect(budget.check()).toBe(false);
  });
});
