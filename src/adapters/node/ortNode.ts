/**
 * onnxruntime-node bindings for the decoder (CLI, Node tests, benchmarks). The only module that imports
 * onnxruntime-node (STYLE.md dependency rules). Thin on purpose: create a session from bytes, run one
 * decoder step with plain typed arrays in and out, dispose every tensor it creates.
 *
 * Not for: the browser (adapters/ort owns onnxruntime-web) or sampling (core/policy).
 */
import * as ort from 'onnxruntime-node';
import { pastKeyName, pastValueName, presentKeyName, presentValueName } from '../../core/onnx/buildDecoder';

export type NodeSession = ort.InferenceSession;

export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}

export interface NodeSessionOptions {
  /** Threads for one op (onnxruntime's intraOpNumThreads); default: onnxruntime's choice (all cores). */
  intraOpThreads?: number;
}

/** A session over in-memory ONNX bytes. A corrupt or truncated file becomes a `ModelLoadError`. */
export async function createNodeSession(bytes: Uint8Array, opts: NodeSessionOptions = {}): Promise<NodeSession> {
  const options: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'], graphOptimizationLevel: 'all' };
  if (opts.intraOpThreads !== undefined) options.intraOpNumThreads = opts.intraOpThreads;
  try {
    return await ort.InferenceSession.create(bytes, options);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ModelLoadError(
      `onnxruntime could not load the model (${bytes.byteLength} bytes): ${reason}. ` +
        'The file is probably truncated or corrupt: download it again (clear it from the model cache) or rebuild it.',
      { cause: err },
    );
  }
}

/** Sizes of the KV cache tensors, [B, numKvHeads, P, headDim] per layer. */
export interface KvLayout {
  numLayers: number;
  numKvHeads: number;
  headDim: number;
}

/** Keys and values of every layer, each [B, KVH, P, D] row-major. */
export interface KvCacheArrays {
  batch: number;
  length: number;
  keys: Float32Array[];
  values: Float32Array[];
}

export interface DecoderStepInput {
  /** [B][S] token ids. */
  inputIds: readonly (readonly number[])[];
  /** [B][P + S]; default all ones. */
  attentionMask?: readonly (readonly number[])[];
  /** [B][S]; default P … P + S − 1. */
  positionIds?: readonly (readonly number[])[];
  /** The previous step's presents; default an empty cache (P = 0). */
  past?: KvCacheArrays;
}

export interface DecoderStepOutput {
  /** [B, S, V] row-major. */
  logits: Float32Array;
  /** present.{i}.key|value, ready to pass back as `past`. */
  present: KvCacheArrays;
}

function int64Tensor(rows: readonly (readonly number[])[]): ort.Tensor {
  const width = rows[0]?.length ?? 0;
  const data = new BigInt64Array(rows.length * width);
  rows.forEach((row, b) => {
    if (row.length !== width) throw new RangeError(`ragged int64 input: row ${b} has ${row.length} values, row 0 has ${width}`);
    row.forEach((v, s) => (data[b * width + s] = BigInt(v)));
  });
  return new ort.Tensor('int64', data, [rows.length, width]);
}

/** One decoder step. Every tensor created or returned here is disposed before returning. */
export async function runDecoder(session: NodeSession, layout: KvLayout, input: DecoderStepInput): Promise<DecoderStepOutput> {
  const batch = input.inputIds.length;
  const seq = input.inputIds[0]?.length ?? 0;
  const pastLength = input.past?.length ?? 0;
  const total = pastLength + seq;
  const feeds: Record<string, ort.Tensor> = {
    input_ids: int64Tensor(input.inputIds),
    attention_mask: int64Tensor(input.attentionMask ?? Array.from({ length: batch }, () => new Array<number>(total).fill(1))),
    position_ids: int64Tensor(input.positionIds ?? Array.from({ length: batch }, () => Array.from({ length: seq }, (_, s) => pastLength + s))),
  };
  const kvDims = [batch, layout.numKvHeads, pastLength, layout.headDim];
  const empty = new Float32Array(0);
  for (let i = 0; i < layout.numLayers; i++) {
    feeds[pastKeyName(i)] = new ort.Tensor('float32', input.past?.keys[i] ?? empty, kvDims);
    feeds[pastValueName(i)] = new ort.Tensor('float32', input.past?.values[i] ?? empty, kvDims);
  }
  let results: ort.InferenceSession.ReturnType | undefined;
  try {
    results = await session.run(feeds);
    const copy = (name: string): Float32Array => {
      const t = results?.[name];
      if (t === undefined) throw new ModelLoadError(`The model has no output ${name}; is it a decoder in the standard layout?`);
      return Float32Array.from(t.data as Float32Array); // own the values: the tensor is disposed below
    };
    const present: KvCacheArrays = { batch, length: total, keys: [], values: [] };
    for (let i = 0; i < layout.numLayers; i++) {
      present.keys.push(copy(presentKeyName(i)));
      present.values.push(copy(presentValueName(i)));
    }
    return { logits: copy('logits'), present };
  } finally {
    for (const t of Object.values(feeds)) t.dispose();
    for (const t of Object.values(results ?? {})) t.dispose();
  }
}
