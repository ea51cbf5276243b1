/** Splitting a list of keys or rows into the batches one statement takes. */

/** `items` in consecutive slices of at most `size` (the last may be shorter; none when empty). Throws nothing. */
export function inBatches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
