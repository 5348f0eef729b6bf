/**
 * Numerics over one position's logits (a `[V]` vector): log-softmax, softmax, argmax, top-k.
 * Computed directly in float64 with the maximum subtracted first (transformers.js `log_softmax`), so
 * large logits never overflow and −Infinity entries (masked tokens) stay −Infinity.
 *
 *   m              = max_j z_j
 *   logsumexp(z)   = m + log Σ_j exp(z_j − m)
 *   logSoftmax(z)_i = z_i − logsumexp(z)
 *   softmax(z)_i    = exp(z_i − m) / Σ_j exp(z_j − m)
 */

/** The logits cannot define a distribution: NaN, +Infinity, or every entry −Infinity. */
export class NonFiniteLogitsError extends Error {
  override name = 'NonFiniteLogitsError';
}

/** max_j z_j, checking that the vector defines a distribution. logits: [V] */
export function maxLogit(logits: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    const z = logits[i] ?? NaN;
    if (Number.isNaN(z) || z === Infinity) {
      throw new NonFiniteLogitsError(`Logit ${i} is ${z}; the model produced invalid numbers (check the weights, precision and the execution provider).`);
    }
    if (z > m) m = z;
  }
  if (m === -Infinity) throw new NonFiniteLogitsError('Every logit is −Infinity: the processors masked the whole vocabulary (loosen top-k/top-p or the bias).');
  return m;
}

/** logsumexp(z / temperature) in float64. logits: [V] → scalar */
export function logSumExp(logits: ArrayLike<number>, temperature = 1): number {
  const m = maxLogit(logits);
  let s = 0;
  for (let i = 0; i < logits.length; i++) s += Math.exp(((logits[i] ?? 0) - m) / temperature);
  return m / temperature + Math.log(s);
}

/** log softmax(z)_i = z_i − logsumexp(z). logits: [V] → [V] float64 */
export function logSoftmax(logits: ArrayLike<number>): Float64Array {
  const lse = logSumExp(logits);
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = (logits[i] ?? 0) - lse;
  return out;
}

/** softmax(z)_i = exp(z_i − m) / Σ_j exp(z_j − m). logits: [V] → [V] float64, sums to 1 */
export function softmax(logits: ArrayLike<number>): Float64Array {
  const m = maxLogit(logits);
  const out = new Float64Array(logits.length);
  let s = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = Math.exp((logits[i] ?? 0) - m);
    out[i] = e;
    s += e;
  }
  for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) / s;
  return out;
}

/** The index of the largest value (the first one on ties). values: [V] → index */
export function argmax(values: ArrayLike<number>): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? -Infinity;
    if (best < 0 || v > bestValue) {
      best = i;
      bestValue = v;
    }
  }
  if (best < 0) throw new NonFiniteLogitsError('argmax of an empty vector.');
  return best;
}

/**
 * The indices of the k largest values, largest first; ties go to the lower index.
 * O(V log k) with a size-k min-heap, so k = 50 over a 151,936-token vocabulary stays cheap.
 */
export function topK(values: ArrayLike<number>, k: number): number[] {
  const n = values.length;
  const kk = Math.max(0, Math.min(Math.floor(k), n));
  if (kk === 0) return [];
  const v = (i: number): number => values[i] ?? -Infinity;
  // "a ranks below b": smaller value, or equal value and larger index.
  const below = (a: number, b: number): boolean => v(a) < v(b) || (v(a) === v(b) && a > b);
  const heap: number[] = []; // min-heap by rank: heap[0] is the weakest kept index
  const siftDown = (start: number): void => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && below(heap[l] ?? 0, heap[m] ?? 0)) m = l;
      if (r < heap.length && below(heap[r] ?? 0, heap[m] ?? 0)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m] ?? 0, heap[i] ?? 0];
      i = m;
    }
  };
  for (let i = 0; i < n; i++) {
    if (heap.length < kk) {
      heap.push(i);
      for (let c = heap.length - 1; c > 0; ) {
        const p = (c - 1) >> 1;
        if (!below(heap[c] ?? 0, heap[p] ?? 0)) break;
        [heap[c], heap[p]] = [heap[p] ?? 0, heap[c] ?? 0];
        c = p;
      }
    } else if (below(heap[0] ?? 0, i)) {
      heap[0] = i;
      siftDown(0);
    }
  }
  return heap.sort((a, b) => (below(a, b) ? 1 : below(b, a) ? -1 : 0));
}
