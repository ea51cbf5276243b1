import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Bounds the garbage a long batch job leaves on V8's heap, so that its peak memory does not
 * depend on how long it runs. Each chunk of a batch lives across several young-generation
 * collections (it waits on the database), so V8 promotes it to the old generation, where it is
 * left to pile up to several times the live size before a full collection: in a map-instances
 * run of a million instances, 14 MB live and 76 MB used when V8 first collected after start-up,
 * 19 s into the run (docs/performance.md). `check()`, called between chunks, collects once the
 * heap has grown by more than the headroom since the last collection (a collection of a small
 * live heap takes about 20 ms), and leaves short runs alone.
 */
export class HeapBudget {
  private limit: number;

  constructor(
    private readonly headroomBytes: number,
    private readonly collect: () => void = collectGarbage,
  ) {
    this.limit = usedHeap() + headroomBytes;
  }

  /** Collects garbage if the heap has outgrown the budget; says whether it did. */
  check(): boolean {
    if (usedHeap() <= this.limit) return false;
    this.collect();
    this.limit = usedHeap() + this.headroomBytes;
    return true;
  }
}

function usedHeap(): number {
  return getHeapStatistics().used_heap_size;
}

let gc: (() => void) | undefined;

/**
 * A full collection through V8's gc(), reached without --expose-gc on the command line: the flag
 * is turned on and gc() taken from a fresh context, as Jest's leak detector does.
 */
export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}
