/**
 * The KV cache of one decoder session (transformers.js `DynamicCache`): the single owner of the
 * past/present tensors. `commit` takes ownership of a run's presents and disposes the pasts they
 * replace; `reset`/`dispose` free everything. Nothing else holds or disposes these tensors.
 *
 * Layout: past_key_values.{i}.key|value and present.{i}.key|value, [1, numKvHeads, P, headDim], with
 * dtype and sizes read from session.inputMetadata (so fp16 exports and other head sizes just work).
 * On WebGPU the presents stay on the GPU (`gpu-buffer`) and go back in as the next pasts: no copy.
 *
 * Truncation (fork, next round after a re-encoded turn) keeps positions < keep. Cost on WebGPU: one
 * GPU→CPU download of every layer's cache (2·L·H·P·D values), a slice on the CPU, and an upload in the
 * next run (the tensors become CPU tensors, which onnxruntime copies in). For Qwen2.5-0.5B at P = 2,000
 * that is 2 × 49 MB; recomputing the prefix instead would cost a prefill of `keep` tokens, far more.
 * On wasm the data is already on the CPU: the slice is one copy.
 */
import type { Ort, OrtFeeds, OrtResults, OrtTensor, OrtValueMetadata } from './ortRuntime';

export class KvLayoutError extends Error {
  override name = 'KvLayoutError';
}

export const PAST_KEY = (i: number): string => `past_key_values.${i}.key`;
export const PAST_VALUE = (i: number): string => `past_key_values.${i}.value`;
export const PRESENT_KEY = (i: number): string => `present.${i}.key`;
export const PRESENT_VALUE = (i: number): string => `present.${i}.value`;

export interface KvLayout {
  /** past name → present name, in layer order (key, value per layer). */
  pairs: { past: string; present: string }[];
  numKvHeads: number;
  headDim: number;
  dtype: 'float32' | 'float16';
}

/** The cache layout from the session's metadata ([batch, H, past, D] with numeric H and D). */
export function kvLayoutFromMetadata(inputMetadata: readonly OrtValueMetadata[], outputNames: readonly string[]): KvLayout {
  const pasts = inputMetadata.filter((m) => m.name.startsWith('past_key_values.'));
  const first = pasts[0];
  if (first === undefined || !first.isTensor) throw new KvLayoutError('The model has no past_key_values inputs: it is not a decoder with a KV cache in the standard layout.');
  const [, heads, , dim] = first.shape;
  if (typeof heads !== 'number' || typeof dim !== 'number') throw new KvLayoutError(`past_key_values shape ${JSON.stringify(first.shape)} has symbolic heads or head size; export the model with static ones.`);
  if (first.type !== 'float32' && first.type !== 'float16') throw new KvLayoutError(`KV cache dtype ${first.type} is not supported (float32 or float16).`);
  const pairs = pasts.map((m) => ({ past: m.name, present: m.name.replace('past_key_values.', 'present.') }));
  const missing = pairs.find((p) => !outputNames.includes(p.present));
  if (missing !== undefined) throw new KvLayoutError(`The model has input ${missing.past} but no output ${missing.present}.`);
  return { pairs, numKvHeads: heads, headDim: dim, dtype: first.type };
}

export class KvCache {
  private tensors = new Map<string, OrtTensor>(); // past name → tensor [1, H, length, D]
  private len = 0;

  constructor(
    private readonly ort: Ort,
    readonly layout: KvLayout,
  ) {}

  get length(): number {
    return this.len;
  }

  /** The past_* feeds for the next run (still owned by the cache: do not dispose them). */
  feeds(): OrtFeeds {
    const feeds: OrtFeeds = {};
    for (const { past } of this.layout.pairs) {
      let t = this.tensors.get(past);
      if (t === undefined) {
        t = this.cpuTensor(this.layout.dtype === 'float16' ? new Uint16Array(0) : new Float32Array(0), 0);
        this.tensors.set(past, t);
      }
      feeds[past] = t;
    }
    return feeds;
  }

  /** Take the presents of `results` (removing them from it) as the new cache of `length` positions. */
  commit(results: OrtResults, length: number): void {
    const next = new Map<string, OrtTensor>();
    for (const { past, present } of this.layout.pairs) {
      const t = results[present];
      if (t === undefined) throw new KvLayoutError(`The run returned no ${present}.`);
      next.set(past, t);
      delete results[present]; // ownership moves to the cache
    }
    this.disposeAll();
    this.tensors = next;
    this.len = length;
  }

  /** Keep positions < keep (0 ≤ keep ≤ length). GPU→CPU sync point on WebGPU (see the module comment). */
  async truncate(keep: number): Promise<void> {
    if (!Number.isInteger(keep) || keep < 0 || keep > this.len) throw new KvLayoutError(`Cannot truncate a cache of ${this.len} positions to ${keep}.`);
    if (keep === this.len) return;
    if (keep === 0) return this.reset();
    const next = new Map<string, OrtTensor>();
    try {
      for (const { past } of this.layout.pairs) {
        const t = this.tensors.get(past);
        if (t === undefined) throw new KvLayoutError(`The cache lost ${past}.`);
        const data = (await t.getData()) as Float32Array | Uint16Array; // GPU→CPU sync point on WebGPU
        next.set(past, this.cpuTensor(slicePositions(data, this.layout, this.len, keep), keep));
      }
    } catch (err) {
      for (const t of next.values()) t.dispose();
      throw err; // the cache is unchanged
    }
    this.disposeAll();
    this.tensors = next;
    this.len = keep;
  }

  reset(): void {
    this.disposeAll();
    this.tensors = new Map();
    this.len = 0;
  }

  dispose(): void {
    this.reset();
  }

  private cpuTensor(data: Float32Array | Uint16Array, length: number): OrtTensor {
    const dims = [1, this.layout.numKvHeads, length, this.layout.headDim];
    return data instanceof Float32Array ? new this.ort.Tensor('float32', data, dims) : new this.ort.Tensor('float16', data, dims);
  }

  private disposeAll(): void {
    for (const t of this.tensors.values()) {
      try {
        t.dispose();
      } catch {
        // a tensor on a lost device cannot be released; nothing else holds it
      }
    }
  }
}

/** [1, H, P, D] → [1, H, keep, D] (a copy). */
export function slicePositions<T extends Float32Array | Uint16Array>(data: T, layout: Pick<KvLayout, 'numKvHeads' | 'headDim'>, length: number, keep: number): T {
  const { numKvHeads: h, headDim: d } = layout;
  const out = new (data.constructor as new (n: number) => T)(h * keep * d);
  for (let head = 0; head < h; head++) out.set(data.subarray(head * length * d, head * length * d + keep * d), head * keep * d);
  return out;
}
