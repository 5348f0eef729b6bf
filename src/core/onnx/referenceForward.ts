/**
 * A float64 forward pass of the Qwen2/Llama decoder in plain loops: the oracle the ONNX graphs are tested
 * against (micrograd's "test against PyTorch", without PyTorch). Batch 1, optional KV cache. HF semantics:
 *
 *   h₀ = E[tokens]
 *   per layer:  a = RMSNorm(h) ;  q, k, v = a·Wqᵀ + bq, a·Wkᵀ + bk, a·Wvᵀ + bv
 *               q, k ← RoPE(q, k, pos) ;  K, V = [cache; k], [cache; v]
 *               h ← h + Wo · softmax(q·Kᵀ/√D, causal) · V          (query head n uses KV head ⌊n / g⌋)
 *               h ← h + W_down · (silu(W_gate · RMSNorm(h)) ⊙ W_up · RMSNorm(h))
 *   logits = RMSNorm(h) · W_headᵀ                                  (W_head = E when tied)
 *   RMSNorm(x) = x / √(mean(x²) + eps) · w ;  RoPE: x' = x·cos(p·f) + rotate_half(x)·sin(p·f)
 *
 * Slow (O(params) per token, no SIMD): tiny models only. Not for generation in the app.
 */
import { ropeInvFreq, type DecoderConfig } from './decoderConfig';
import { getWeight, lmHeadWeight, type DecoderWeights, type WeightTensor } from './weights';

/** Per layer [KVH, P, D] keys and values (post-RoPE keys, as the ONNX presents hold them). */
export interface ReferenceKvCache {
  length: number;
  keys: Float64Array[];
  values: Float64Array[];
}

export interface ReferenceOutput {
  /** [S, V] */
  logits: Float64Array;
  /** [S, H] the final-norm hidden states (what lm_head, or a value head, reads). */
  hidden: Float64Array;
  cache: ReferenceKvCache;
}

export interface ReferenceOptions {
  cache?: ReferenceKvCache;
  /** [S]; default P … P + S − 1. */
  positions?: readonly number[];
}

/** y = x · Wᵀ + b. x: [S, in], W: [out, in] → [S, out]. */
function linearRows(x: Float64Array, rows: number, w: WeightTensor, bias?: WeightTensor): Float64Array {
  const [out = 0, inF = 0] = w.shape;
  const y = new Float64Array(rows * out);
  for (let s = 0; s < rows; s++) {
    for (let o = 0; o < out; o++) {
      let acc = bias?.data[o] ?? 0;
      for (let k = 0; k < inF; k++) acc += (x[s * inF + k] ?? 0) * (w.data[o * inF + k] ?? 0);
      y[s * out + o] = acc;
    }
  }
  return y;
}

/** x: [S, H] → [S, H]. */
function rmsNormRows(x: Float64Array, rows: number, w: WeightTensor, eps: number): Float64Array {
  const h = w.shape[0] ?? 0;
  const y = new Float64Array(rows * h);
  for (let s = 0; s < rows; s++) {
    let sumSq = 0;
    for (let k = 0; k < h; k++) sumSq += (x[s * h + k] ?? 0) ** 2;
    const inv = 1 / Math.sqrt(sumSq / h + eps);
    for (let k = 0; k < h; k++) y[s * h + k] = (x[s * h + k] ?? 0) * inv * (w.data[k] ?? 0);
  }
  return y;
}

/**
 * In place on x: [S, heads·D]. Angles are rounded to float32 as HF computes them
 * (float32 inv_freq × float32 position), so large positions agree with real checkpoints' numerics.
 */
function ropeRows(x: Float64Array, rows: number, heads: number, d: number, positions: readonly number[], invFreq: Float64Array): void {
  const half = d / 2;
  for (let s = 0; s < rows; s++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround((positions[s] ?? 0) * Math.fround(invFreq[i] ?? 0));
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      for (let n = 0; n < heads; n++) {
        const at = s * heads * d + n * d;
        const x1 = x[at + i] ?? 0;
        const x2 = x[at + i + half] ?? 0;
        x[at + i] = x1 * cos - x2 * sin;
        x[at + i + half] = x2 * cos + x1 * sin;
      }
    }
  }
}

/** Append new rows [S, KVH·D] to a [KVH, P, D] cache → [KVH, P + S, D]. */
function appendCache(past: Float64Array | undefined, pastLen: number, fresh: Float64Array, rows: number, kvh: number, d: number): Float64Array {
  const total = pastLen + rows;
  const out = new Float64Array(kvh * total * d);
  for (let h = 0; h < kvh; h++) {
    if (past !== undefined) out.set(past.subarray(h * pastLen * d, (h + 1) * pastLen * d), h * total * d);
    for (let s = 0; s < rows; s++) {
      for (let j = 0; j < d; j++) out[(h * total + pastLen + s) * d + j] = fresh[s * kvh * d + h * d + j] ?? 0;
    }
  }
  return out;
}

/** Causal GQA. q: [S, NH·D], keys/values: [KVH, T, D] → [S, NH·D]; query s sees keys 0 … P + s. */
function attendRows(q: Float64Array, rows: number, keys: Float64Array, values: Float64Array, total: number, c: DecoderConfig): Float64Array {
  const { numHeads: nh, numKvHeads: kvh, headDim: d } = c;
  const groups = nh / kvh;
  const past = total - rows;
  const out = new Float64Array(rows * nh * d);
  const scores = new Float64Array(total);
  for (let s = 0; s < rows; s++) {
    for (let n = 0; n < nh; n++) {
      const kv = Math.floor(n / groups);
      const visible = past + s + 1;
      let max = -Infinity;
      for (let t = 0; t < visible; t++) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += (q[(s * nh + n) * d + j] ?? 0) * (keys[(kv * total + t) * d + j] ?? 0);
        scores[t] = dot / Math.sqrt(d);
        max = Math.max(max, scores[t] ?? 0);
      }
      let sum = 0;
      for (let t = 0; t < visible; t++) sum += scores[t] = Math.exp((scores[t] ?? 0) - max);
      for (let t = 0; t < visible; t++) {
        const p = (scores[t] ?? 0) / sum;
        for (let j = 0; j < d; j++) out[(s * nh + n) * d + j] = (out[(s * nh + n) * d + j] ?? 0) + p * (values[(kv * total + t) * d + j] ?? 0);
      }
    }
  }
  return out;
}

/** Logits [S, V] for `tokens` after the cached prefix, and the extended cache. */
export function referenceForward(config: DecoderConfig, weights: DecoderWeights, tokens: readonly number[], opts: ReferenceOptions = {}): ReferenceOutput {
  const { hiddenSize: hs, numKvHeads: kvh, headDim: d, numHeads: nh } = config;
  const rows = tokens.length;
  const pastLen = opts.cache?.length ?? 0;
  const positions = opts.positions ?? tokens.map((_, s) => pastLen + s);
  const invFreq = ropeInvFreq(config);
  const w = (name: string): WeightTensor => getWeight(weights, name);
  const bias = (name: string): WeightTensor | undefined => (config.attentionBias ? w(name) : undefined);

  const embed = w('model.embed_tokens.weight');
  let h = new Float64Array(rows * hs); // [S, H]
  tokens.forEach((tok, s) => {
    if (!Number.isInteger(tok) || tok < 0 || tok >= config.vocabSize) throw new RangeError(`token id ${tok} is outside the vocabulary [0, ${config.vocabSize})`);
    for (let k = 0; k < hs; k++) h[s * hs + k] = embed.data[tok * hs + k] ?? 0;
  });

  const cache: ReferenceKvCache = { length: pastLen + rows, keys: [], values: [] };
  for (let i = 0; i < config.numLayers; i++) {
    const p = `model.layers.${i}`;
    const a = rmsNormRows(h, rows, w(`${p}.input_layernorm.weight`), config.rmsNormEps);
    const q = linearRows(a, rows, w(`${p}.self_attn.q_proj.weight`), bias(`${p}.self_attn.q_proj.bias`)); // [S, NH·D]
    const k = linearRows(a, rows, w(`${p}.self_attn.k_proj.weight`), bias(`${p}.self_attn.k_proj.bias`)); // [S, KVH·D]
    const v = linearRows(a, rows, w(`${p}.self_attn.v_proj.weight`), bias(`${p}.self_attn.v_proj.bias`)); // [S, KVH·D]
    ropeRows(q, rows, nh, d, positions, invFreq);
    ropeRows(k, rows, kvh, d, positions, invFreq);
    const keys = appendCache(opts.cache?.keys[i], pastLen, k, rows, kvh, d); // [KVH, T, D]
    const values = appendCache(opts.cache?.values[i], pastLen, v, rows, kvh, d); // [KVH, T, D]
    cache.keys.push(keys);
    cache.values.push(values);
    const attn = linearRows(attendRows(q, rows, keys, values, pastLen + rows, config), rows, w(`${p}.self_attn.o_proj.weight`)); // [S, H]
    h = h.map((x, j) => x + (attn[j] ?? 0));

    const m = rmsNormRows(h, rows, w(`${p}.post_attention_layernorm.weight`), config.rmsNormEps);
    const gate = linearRows(m, rows, w(`${p}.mlp.gate_proj.weight`)); // [S, M]
    const up = linearRows(m, rows, w(`${p}.mlp.up_proj.weight`)); // [S, M]
    const act = gate.map((z, j) => (z / (1 + Math.exp(-z))) * (up[j] ?? 0));
    const down = linearRows(act, rows, w(`${p}.mlp.down_proj.weight`)); // [S, H]
    h = h.map((x, j) => x + (down[j] ?? 0));
  }
  const normed = rmsNormRows(h, rows, w('model.norm.weight'), config.rmsNormEps);
  return { logits: linearRows(normed, rows, lmHeadWeight(config, weights)), hidden: normed, cache };
}
