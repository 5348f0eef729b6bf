/**
 * The BPE trainer's lazy max-heap of (weighted count, pair key): the next pair to merge is the most
 * frequent one, ties broken by the smaller key (left id, then right id), so training is deterministic.
 * Entries go stale when a count changes; the trainer skips them when popped. Not a general priority queue.
 */

/** Pair keys pack (left, right) ids; ids stay below 2^20. */
export const KEY_BASE = 1 << 20;
export const pairKey = (a: number, b: number): number => a * KEY_BASE + b;

/** A max-heap of (count, pair key); stale entries are skipped when popped. */
export class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.keys.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): [number, number] | undefined {
    if (this.keys.length === 0) return undefined;
    const top: [number, number] = [this.counts[0] as number, this.keys[0] as number];
    const lastC = this.counts.pop() as number;
    const lastK = this.keys.pop() as number;
    if (this.keys.length > 0) {
      this.counts[0] = lastC;
      this.keys[0] = lastK;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.keys.length && this.before(l, m)) m = l;
        if (r < this.keys.length && this.before(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }

  /** Higher count first; on equal counts the smaller key (left id, then right id). */
  private before(a: number, b: number): boolean {
    const ca = this.counts[a] as number;
    const cb = this.counts[b] as number;
    return ca > cb || (ca === cb && (this.keys[a] as number) < (this.keys[b] as number));
  }

  private swap(a: number, b: number): void {
    [this.counts[a], this.counts[b]] = [this.counts[b] as number, this.counts[a] as number];
    [this.keys[a], this.keys[b]] = [this.keys[b] as number, this.keys[a] as number];
  }
}
