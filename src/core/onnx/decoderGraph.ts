/**
 * The pieces of the Qwen2/Llama decoder as standard ONNX ops (opset 17), written against a GraphBuilder:
 * RMSNorm, linear layers (fp32 MatMul or q4 MatMulNBits), rotary embeddings, the additive attention mask,
 * grouped-query attention with a KV cache, and the SwiGLU MLP. buildDecoder.ts wires them into a model.
 *
 * Shapes: B batch, S new tokens, P past tokens, T = P + S, H hidden, NH query heads, KVH kv heads,
 * g = NH / KVH, D head dim, M MLP width, V vocab.
 * Not for: the model's inputs/outputs or weight validation (buildDecoder.ts).
 */
import type { DecoderConfig } from './decoderConfig';
import { attr, type GraphBuilder } from './graphBuilder';
import { quantizeQ4, Q4_BLOCK_SIZE } from './quantizeQ4';
import { quantizeQ8 } from './quantizeQ8';
import type { WeightTensor } from './weights';

/** fp32; q4 = MatMulNBits (4-bit blocks of 32); q8 = int8 per-channel weights × dynamically quantised activations (MatMulInteger). */
export type Precision = 'fp32' | 'q4' | 'q8';

/** float32's lowest finite value (torch.finfo(float32).min), HF's additive mask value. Finite on purpose:
 * a fully masked row (a left-pad query) then softmaxes to a uniform row instead of NaN from −∞ − (−∞). */
export const MASK_MIN = -3.4028234663852886e38;

/** Row-major [rows, cols] → [cols, rows]. */
function transposed(w: WeightTensor): Float32Array {
  const [rows = 0, cols = 0] = w.shape;
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w.data[r * cols + c] ?? 0;
  return out;
}

/**
 * RMSNorm (Zhang & Sennrich 2019; HF LlamaRMSNorm):
 *   y = x / √(mean(x², axis=−1) + eps) · w
 * x: [B, S, H] → [B, S, H]. Standard ops only (RMSNormalization is opset 23, too new for our targets).
 */
export function rmsNorm(g: GraphBuilder, x: string, weightName: string, w: WeightTensor, eps: number): string {
  const weight = g.initializer({ name: weightName, dims: w.shape, data: w.data });
  const sq = g.node('Mul', [x, x]);
  const meanSq = g.node('ReduceMean', [sq], { attributes: { axes: attr.ints([-1]), keepdims: attr.int(1) } }); // [B, S, 1]
  const rms = g.node('Sqrt', [g.node('Add', [meanSq, g.constF32([eps])])]);
  return g.node('Mul', [g.node('Div', [x, rms]), weight]);
}

/**
 * y = x · Wᵀ (+ b). x: [B, S, in] → [B, S, out]; W is HF's [out, in].
 * fp32: MatMul with the initializer stored transposed ([in, out]).
 * q4: com.microsoft MatMulNBits, which takes W as [out, in] blocks along `in` (see quantizeQ4.ts).
 * q8: W as int8 [in, out] with one scale per output (quantizeQ8.ts), see q8MatMul.
 */
export function linear(g: GraphBuilder, x: string, name: string, w: WeightTensor, bias: WeightTensor | undefined, precision: Precision): string {
  const [n = 0, k = 0] = w.shape;
  let y: string;
  if (precision === 'fp32') {
    y = g.node('MatMul', [x, g.initializer({ name: `${name}.weight`, dims: [k, n], data: transposed(w) })]);
  } else if (precision === 'q8') {
    const q = quantizeQ8(w);
    y = q8MatMul(g, x, g.initializer({ name: `${name}.weight_q8`, dims: [k, n], data: q.codes }), g.initializer({ name: `${name}.weight_scales`, dims: [n], data: q.scales }));
  } else {
    const q = quantizeQ4(w, Q4_BLOCK_SIZE);
    const nBlocks = q.scales.length / n;
    const packed = g.initializer({ name: `${name}.weight_q4`, dims: [n, nBlocks, Q4_BLOCK_SIZE / 2], data: q.packed });
    const scales = g.initializer({ name: `${name}.weight_scales`, dims: [n * nBlocks], data: q.scales });
    y = g.node('MatMulNBits', [x, packed, scales], {
      domain: 'com.microsoft',
      attributes: { K: attr.int(k), N: attr.int(n), bits: attr.int(4), block_size: attr.int(Q4_BLOCK_SIZE) },
    });
  }
  if (bias === undefined) return y;
  return g.node('Add', [y, g.initializer({ name: `${name}.bias`, dims: bias.shape, data: bias.data })]);
}

/**
 * y ≈ x · Ŵ with int8 weights: the activations are quantised per tensor on the fly,
 *   (x_q uint8, s_x, z_x) = DynamicQuantizeLinear(x)      x ≈ (x_q − z_x) · s_x
 *   y = float(MatMulInteger(x_q, W_q, z_x)) · (s_x · scales)
 * x: [..., K], W_q: int8 [K, N], scales: [N] → [..., N]. Standard ops (opset 10/11), the pattern of
 * onnxruntime's quantize_dynamic; onnxruntime fuses it into DynamicQuantizeMatMul (int8 GEMM on native CPU
 * and on wasm SIMD). Error: each activation moves by up to s_x / 2 = (max(x, 0) − min(x, 0)) / 510.
 */
export function q8MatMul(g: GraphBuilder, x: string, codes: string, scales: string): string {
  const [xq = '', xs = '', xz = ''] = g.nodeOutputs('DynamicQuantizeLinear', [x], { outputCount: 3 });
  const acc = g.node('MatMulInteger', [xq, codes, xz]);
  return g.node('Mul', [g.node('Cast', [acc], { attributes: { to: attr.int(1) } }), g.node('Mul', [xs, scales])]);
}

/**
 * MatMulNBits' `accuracy_level` on every q4 linear layer built so far: the lowest precision onnxruntime may
 * compute in. 4 = int8 activations (quantised per block of 32 along K) with int32 accumulation, which the
 * native CPU EP runs with AVX2/AVX-512 VNNI/NEON kernels (MLAS SQNBIT_CompInt8). onnxruntime-web's wasm
 * build has no n-bit kernels at all (it dequantises B to float32 on every run, whatever the level), so
 * the level changes nothing there. Unset (the attribute absent) = 0 = float32 compute.
 */
export function setMatMulNBitsAccuracy(g: GraphBuilder, level: 0 | 1 | 2 | 3 | 4): void {
  g.nodes.forEach((n, i) => {
    if (n.opType === 'MatMulNBits') g.nodes[i] = { ...n, attributes: { ...n.attributes, accuracy_level: attr.int(level) } };
  });
}

export interface Rotary {
  cos: string; // [B, 1, S, D]
  sin: string; // [B, 1, S, D]
}

/**
 * RoPE cos/sin caches [maxPositions, D/2] as initializers: cos(p · inv_freq_i), sin(p · inv_freq_i), the
 * angle rounded to float32 like HF's, the cos/sin in float64 then rounded. Shared by the standard graph
 * (rotaryTables) and the fused one (RotaryEmbedding's cos_cache/sin_cache). Precomputed on purpose: WGSL
 * sin/cos are only accurate to ~2^-11, which cost ~1e-3 on the logits on WebGPU when computed in-graph.
 * Costs maxPositions · D · 4 bytes in the file (16 MiB for Qwen2.5's 32k × 128); positions must be
 * < max_position_embeddings (Gather fails on a larger one).
 */
export function rotaryCaches(g: GraphBuilder, invFreq: Float64Array, maxPositions: number): Rotary {
  const half = invFreq.length;
  const cos = new Float32Array(maxPositions * half);
  const sin = new Float32Array(maxPositions * half);
  for (let p = 0; p < maxPositions; p++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(p * Math.fround(invFreq[i] ?? 0));
      cos[p * half + i] = Math.cos(angle);
      sin[p * half + i] = Math.sin(angle);
    }
  }
  return {
    cos: g.initializer({ name: 'rotary.cos_cache', dims: [maxPositions, half], data: cos }),
    sin: g.initializer({ name: 'rotary.sin_cache', dims: [maxPositions, half], data: sin }),
  };
}

/**
 * cos/sin for the positions of this run, gathered from the caches (rotaryCaches):
 *   half = cache[position_ids]            [B, S, D/2]
 *   emb  = concat(half, half)             [B, S, D]   (HF's rotate_half layout) → [B, 1, S, D]
 */
export function rotaryTables(g: GraphBuilder, positionIds: string, caches: Rotary): Rotary {
  const heads = g.constI64([1]);
  const table = (cache: string): string => {
    const half = g.node('Gather', [cache, positionIds], { attributes: { axis: attr.int(0) } }); // [B, S, D/2]
    const emb = g.node('Concat', [half, half], { attributes: { axis: attr.int(-1) } }); // [B, S, D]
    return g.node('Unsqueeze', [emb, heads]);
  };
  return { cos: table(caches.cos), sin: table(caches.sin) };
}

/**
 * RoPE, HF form: x' = x · cos + rotate_half(x) · sin,  rotate_half([x1, x2]) = [−x2, x1].
 * x: [B, heads, S, D] → same.
 */
export function applyRotary(g: GraphBuilder, x: string, rot: Rotary, headDim: number): string {
  const half = headDim / 2;
  const [x1 = '', x2 = ''] = g.nodeOutputs('Split', [x, g.constI64([half, half])], { outputCount: 2, attributes: { axis: attr.int(-1) } });
  const rotated = g.node('Concat', [g.node('Neg', [x2]), x1], { attributes: { axis: attr.int(-1) } });
  return g.node('Add', [g.node('Mul', [x, rot.cos]), g.node('Mul', [rotated, rot.sin])]);
}

/**
 * Additive mask [B, 1, 1, S, T] (the 5-D GQA layout below): 0 where key j may be seen by query i, else MASK_MIN.
 *   allowed(b, i, j) = attention_mask[b, j] ≠ 0  ∧  j ≤ P + i      (causal on cache index, P = T − S)
 */
export function attentionMask(g: GraphBuilder, inputIds: string, attentionMaskInput: string): string {
  const one = g.constI64([1], []);
  const zero = g.constI64([0], []);
  const s = g.node('Gather', [g.node('Shape', [inputIds]), one], { attributes: { axis: attr.int(0) } }); // scalar S
  const t = g.node('Gather', [g.node('Shape', [attentionMaskInput]), one], { attributes: { axis: attr.int(0) } }); // scalar T
  const past = g.node('Sub', [t, s]); // scalar P
  const keyPos = g.node('Range', [zero, t, one]); // [T]
  const queryPos = g.node('Unsqueeze', [g.node('Add', [g.node('Range', [zero, s, one]), past]), g.constI64([1])]); // [S, 1]
  const causal = g.node('LessOrEqual', [keyPos, queryPos]); // [S, T]
  const padding = g.node('Unsqueeze', [g.node('Cast', [attentionMaskInput], { attributes: { to: attr.int(9) } }), g.constI64([1, 2, 3])]); // [B, 1, 1, 1, T]
  const allowed = g.node('And', [causal, padding]); // [B, 1, 1, S, T]
  return g.node('Where', [allowed, g.constF32([0]), g.constF32([MASK_MIN])]);
}

export interface LayerContext {
  rot: Rotary;
  mask: string; // [B, 1, 1, S, T]
  /** The named tensor; throws when missing (weights are validated before building). */
  weight: (name: string) => WeightTensor;
  precision: Precision;
}

export interface AttentionIo {
  pastKey: string; // [B, KVH, P, D]
  pastValue: string; // [B, KVH, P, D]
  presentKey: string; // output name, [B, KVH, T, D]
  presentValue: string; // output name, [B, KVH, T, D]
}

/**
 * Grouped-query self-attention with a KV cache. x: [B, S, H] (already normed) → [B, S, H].
 *   q, k, v = x·Wqᵀ+bq, x·Wkᵀ+bk, x·Wvᵀ+bv  → heads, RoPE on q and k
 *   K, V    = concat(past, new) along the sequence          → present.{i}.key|value
 *   A       = softmax(q·Kᵀ / √D + mask) · V
 * KV heads are shared by broadcasting, not by copying: q is viewed as [B, KVH, g, S, D] and K as
 * [B, KVH, 1, T, D], so MatMul's batch broadcasting repeats each KV head g times for free.
 */
export function attention(g: GraphBuilder, x: string, c: DecoderConfig, layer: number, io: AttentionIo, ctx: LayerContext): string {
  const { numHeads: nh, numKvHeads: kvh, headDim: d } = c;
  const p = `model.layers.${layer}.self_attn`;
  const proj = (name: string, heads: number): string => {
    const bias = c.attentionBias ? ctx.weight(`${p}.${name}.bias`) : undefined;
    const y = linear(g, x, `${p}.${name}`, ctx.weight(`${p}.${name}.weight`), bias, ctx.precision); // [B, S, heads·D]
    const split = g.node('Reshape', [y, g.constI64([0, 0, heads, d])]); // [B, S, heads, D]
    return g.node('Transpose', [split], { attributes: { perm: attr.ints([0, 2, 1, 3]) } }); // [B, heads, S, D]
  };
  const q = applyRotary(g, proj('q_proj', nh), ctx.rot, d); // [B, NH, S, D]
  const k = applyRotary(g, proj('k_proj', kvh), ctx.rot, d); // [B, KVH, S, D]
  const v = proj('v_proj', kvh); // [B, KVH, S, D]
  const merged = cachedAttention(g, q, k, v, c, io, ctx.mask); // [B, S, NH·D]
  return linear(g, merged, `${p}.o_proj`, ctx.weight(`${p}.o_proj.weight`), undefined, ctx.precision); // [B, S, H]
}

/**
 * The attention core with the KV cache, shared by the standard graph and the fused graph's
 * `attention: 'matmul'` variant. q: [B, NH, S, D], k, v: [B, KVH, S, D] (RoPE applied), mask [B, 1, 1, S, T]
 * (attentionMask) → [B, S, NH·D]; writes io.presentKey|presentValue = concat(past, new) along the sequence.
 */
export function cachedAttention(g: GraphBuilder, q: string, k: string, v: string, c: DecoderConfig, io: AttentionIo, mask: string): string {
  const { numHeads: nh, numKvHeads: kvh, headDim: d } = c;
  const keys = g.node('Concat', [io.pastKey, k], { outputs: [io.presentKey], attributes: { axis: attr.int(2) } }); // [B, KVH, T, D]
  const values = g.node('Concat', [io.pastValue, v], { outputs: [io.presentValue], attributes: { axis: attr.int(2) } }); // [B, KVH, T, D]

  const q5 = g.node('Reshape', [q, g.constI64([0, kvh, nh / kvh, -1, d])]); // [B, KVH, g, S, D]
  const k5t = g.node('Transpose', [g.node('Unsqueeze', [keys, g.constI64([2])])], { attributes: { perm: attr.ints([0, 1, 2, 4, 3]) } }); // [B, KVH, 1, D, T]
  const scores = g.node('Mul', [g.node('MatMul', [q5, k5t]), g.constF32([1 / Math.sqrt(d)])]); // [B, KVH, g, S, T]
  const probs = g.node('Softmax', [g.node('Add', [scores, mask])], { attributes: { axis: attr.int(-1) } });
  const v5 = g.node('Unsqueeze', [values, g.constI64([2])]); // [B, KVH, 1, T, D]
  const heads = g.node('Reshape', [g.node('MatMul', [probs, v5]), g.constI64([0, nh, -1, d])]); // [B, NH, S, D]
  return g.node('Reshape', [g.node('Transpose', [heads], { attributes: { perm: attr.ints([0, 2, 1, 3]) } }), g.constI64([0, 0, nh * d])]); // [B, S, NH·D]
}

/**
 * SwiGLU MLP (Shazeer 2020): y = W_down · (silu(W_gate · x) ⊙ W_up · x),  silu(z) = z · σ(z).
 * x: [B, S, H] → [B, S, M] → [B, S, H].
 */
export function mlp(g: GraphBuilder, x: string, layer: number, ctx: LayerContext): string {
  const { weight, precision } = ctx;
  const p = `model.layers.${layer}.mlp`;
  const gate = linear(g, x, `${p}.gate_proj`, weight(`${p}.gate_proj.weight`), undefined, precision); // [B, S, M]
  const up = linear(g, x, `${p}.up_proj`, weight(`${p}.up_proj.weight`), undefined, precision); // [B, S, M]
  const act = g.node('Mul', [g.node('Mul', [gate, g.node('Sigmoid', [gate])]), up]);
  return linear(g, act, `${p}.down_proj`, weight(`${p}.down_proj.weight`), undefined, precision); // [B, S, H]
}
