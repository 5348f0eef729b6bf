/**
 * The core `LanguageModel` port (core/policy/languageModel.ts) over an onnxruntime-web decoder session:
 * the KV cache persists across calls and rounds (kvCache.ts), so the decode loop feeds only new tokens.
 *
 * Feeds, batch 1: input_ids [1, S]; attention_mask [1, P + S] all ones (no padding in batch 1);
 * position_ids [1, S] = P … P + S − 1 from the cached length; past_key_values.* from the cache.
 * Outputs: logits [1, S, V] — the last row is copied out (one GPU→CPU sync point per call); presents
 * become the cache. `forward` is atomic: on an error or abort the cache and cachedIds are as before.
 *
 * Device loss: when a WebGPU run fails, the model reopens the same file on wasm, re-prefills the ids
 * it had cached (exact, one prefill of P tokens) and retries the call; `onDeviceChanged` reports the
 * fallback. The caller's trajectory is untouched (the call simply takes longer).
 */
import type { ForwardOptions, LanguageModel } from '../../core/policy/languageModel';
import { KvCache, kvLayoutFromMetadata } from './kvCache';
import type { OrtFeeds, OrtResults, OrtTensor } from './ortRuntime';
import type { DeviceReport, WebSession } from './webSession';

export interface OrtLanguageModelOptions {
  eosTokenIds: readonly number[];
  /** The logits size; default from the session's output metadata (required when it is symbolic). */
  vocabSize?: number;
  /** Reopen on wasm after a WebGPU run failure (default true). */
  recoverOnWasm?: boolean;
  onDeviceChanged?: (device: DeviceReport) => void;
}

export interface OrtLanguageModel extends LanguageModel {
  readonly device: DeviceReport;
  dispose(): Promise<void>;
}

export class OrtModelInputError extends Error {
  override name = 'OrtModelInputError';
}

interface Bound {
  session: WebSession;
  cache: KvCache;
}

function bind(session: WebSession): Bound {
  return { session, cache: new KvCache(session.ort, kvLayoutFromMetadata(session.inputMetadata, session.outputNames)) };
}

function logitsSize(session: WebSession, override: number | undefined): number {
  if (override !== undefined) return override;
  const m = session.outputMetadata.find((x) => x.name === 'logits');
  const v = m?.isTensor === true ? m.shape[m.shape.length - 1] : undefined;
  if (typeof v !== 'number') throw new OrtModelInputError('The logits output has a symbolic vocabulary size; pass vocabSize (config.json vocab_size).');
  return v;
}

export function createOrtLanguageModel(session: WebSession, o: OrtLanguageModelOptions): OrtLanguageModel {
  let cur = bind(session);
  const vocabSize = logitsSize(session, o.vocabSize);
  const ids: number[] = [];

  /** One run on `b` after its cached positions; returns the last logits row and leaves the cache committed. */
  const step = async (b: Bound, input: readonly number[], signal: AbortSignal | undefined): Promise<Float32Array> => {
    const { ort } = b.session;
    const past = b.cache.length;
    const total = past + input.length;
    const own: OrtFeeds = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(input, BigInt), [1, input.length]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]),
      position_ids: new ort.Tensor('int64', BigInt64Array.from(input, (_, s) => BigInt(past + s)), [1, input.length]),
    };
    const feeds: OrtFeeds = { ...b.cache.feeds() };
    for (const [name, t] of Object.entries(own)) if (b.session.inputNames.includes(name)) feeds[name] = t;
    let results: OrtResults | undefined;
    try {
      results = await b.session.run(feeds);
      const logits = results['logits'];
      if (logits === undefined) throw new OrtModelInputError('The model has no logits output; is it a decoder in the standard layout?');
      const row = lastRow(await logits.getData(), vocabSize); // GPU→CPU sync point: the logits of every new position
      signal?.throwIfAborted(); // before commit: an abort leaves the cache as it was
      b.cache.commit(results, total);
      return row;
    } finally {
      for (const t of Object.values(own)) t.dispose();
      for (const t of Object.values(results ?? {})) disposeQuietly(t); // what the cache did not take
    }
  };

  const recover = async (err: unknown): Promise<void> => {
    const reason = `WebGPU failed during generation (${err instanceof Error ? err.message : String(err)}); recovered on wasm`;
    cur.cache.dispose();
    const next = bind(await cur.session.reopenOnWasm(reason));
    cur = next;
    if (ids.length > 0) await step(next, ids, undefined); // re-prefill what the cache held: exact
    o.onDeviceChanged?.(next.session.device);
  };

  return {
    vocabSize,
    eosTokenIds: [...o.eosTokenIds],
    get device() {
      return cur.session.device;
    },
    async forward(input: readonly number[], opts: ForwardOptions = {}) {
      opts.signal?.throwIfAborted();
      if (input.length === 0) throw new OrtModelInputError('forward needs at least one new token.');
      for (const id of input) if (!Number.isInteger(id) || id < 0 || id >= vocabSize) throw new OrtModelInputError(`Token id ${id} is outside the vocabulary [0, ${vocabSize}).`);
      let row: Float32Array;
      try {
        row = await step(cur, input, opts.signal);
      } catch (err) {
        if (opts.signal?.aborted === true || cur.session.device.ep !== 'webgpu' || o.recoverOnWasm === false || err instanceof OrtModelInputError) throw err;
        await recover(err);
        row = await step(cur, input, opts.signal);
      }
      ids.push(...input);
      return row;
    },
    reset() {
      cur.cache.reset();
      ids.length = 0;
    },
    async truncate(prefixLength: number) {
      if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > ids.length) {
        throw new OrtModelInputError(`Cannot truncate a cache of ${ids.length} positions to ${prefixLength}.`);
      }
      await cur.cache.truncate(prefixLength);
      ids.length = prefixLength;
    },
    cachedLength: () => ids.length,
    cachedIds: () => ids.slice(),
    async dispose() {
      cur.cache.dispose();
      ids.length = 0;
      await cur.session.release();
    },
  };
}

/** The last [V] row of [1, S, V] logits, as an owned float32 copy (float16 logits are widened). */
function lastRow(data: OrtTensor['data'], v: number): Float32Array {
  if (data instanceof Float32Array) return data.slice(data.length - v);
  if (data instanceof Uint16Array) return Float32Array.from(data.subarray(data.length - v), halfToFloat);
  // Float16Array where the browser has it (onnxruntime-web then returns float16 data as one)
  if (ArrayBuffer.isView(data) && !(data instanceof BigInt64Array) && !(data instanceof BigUint64Array) && 'subarray' in data) {
    const a = data as unknown as Float32Array;
    return Float32Array.from(a.subarray(a.length - v));
  }
  throw new OrtModelInputError(`Logits of an unexpected element type (${Object.prototype.toString.call(data)}); expected float32 or float16.`);
}

/** IEEE 754 binary16 bits → number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

function disposeQuietly(t: OrtTensor): void {
  try {
    t.dispose();
  } catch {
    // already released or on a lost device
  }
}
