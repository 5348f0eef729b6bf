/**
 * The decoder blocks with onnxruntime's fused contrib ops (com.microsoft), the layout optimum/genai
 * exports use, and the fast path on wasm and WebGPU:
 *   SimplifiedLayerNormalization / SkipSimplifiedLayerNormalization  RMSNorm, with the residual add fused
 *   RotaryEmbedding     RoPE (non-interleaved = HF rotate_half) from position_ids and cos/sin caches
 *   GroupQueryAttention causal GQA with the KV cache in BNSH: past [B, KVH, P, D] → present [B, KVH, T, D]
 *
 * GroupQueryAttention masks by sequence length, not by attention_mask: key j is visible to query i of
 * row b iff j ≤ seqlens_k[b] − S + i, with seqlens_k = Σ attention_mask − 1. So it assumes each row's
 * valid tokens are contiguous from cache index 0 (no left padding); batch-1 generation and unpadded
 * batches are exact. Use the standard-op graph for left-padded batches.
 *
 * `attention = 'matmul'` keeps every other fused op but replaces GroupQueryAttention by standard
 * MatMul/Softmax attention (decoderGraph.ts cachedAttention: in-graph KV concat, GQA by broadcasting,
 * the full attention_mask, so left padding is exact too). onnxruntime-web's wasm GQA kernel is an order of
 * magnitude slower than native at long context; its MatMul/Softmax kernels are not.
 *
 * Not for: the model's interface or the head (buildDecoder.ts shares those with the standard graph).
 */
import { ropeInvFreq, type DecoderConfig } from './decoderConfig';
import { attentionMask, cachedAttention, linear, rotaryCaches, type Precision } from './decoderGraph';
import { attr, type GraphBuilder } from './graphBuilder';
import type { WeightTensor } from './weights';

const MS = 'com.microsoft';

export interface FusedIo {
  pastKey: (layer: number) => string;
  pastValue: (layer: number) => string;
  presentKey: (layer: number) => string;
  presentValue: (layer: number) => string;
}

/**
 * The transformer blocks and final norm with fused ops. h: [B, S, H] embeddings → [B, S, H] normed.
 *   x₀ = RMSNorm(h)                                  (SimplifiedLayerNormalization)
 *   per layer: a = GQA(RoPE(x·Wq), RoPE(x·Wk), x·Wv)·Woᵀ
 *              x, h = SkipRMSNorm(a, h)               (h ← h + a; x = RMSNorm(h))
 *              m = MLP(x);  x, h = SkipRMSNorm(m, h)  with the next layer's (or the final) norm weight
 */
export function fusedBlocks(g: GraphBuilder, h: string, config: DecoderConfig, weight: (name: string) => WeightTensor, precision: Precision, io: FusedIo, attention: 'gqa' | 'matmul' = 'gqa'): string {
  const { numHeads: nh, numKvHeads: kvh, headDim: d, rmsNormEps: eps } = config;
  const caches = rotaryCaches(g, ropeInvFreq(config), config.maxPositionEmbeddings);
  const gqa = attention === 'gqa';
  let seqlensK = '';
  let totalI32 = '';
  let mask = '';
  if (gqa) {
    // seqlens_k = Σ attention_mask − 1 (int32 [B]); total_sequence_length = T (int32 scalar)
    const summed = g.node('ReduceSum', ['attention_mask', g.constI64([1])], { attributes: { keepdims: attr.int(0) } });
    seqlensK = g.node('Cast', [g.node('Sub', [summed, g.constI64([1], [])])], { attributes: { to: attr.int(6) } });
    const total = g.node('Gather', [g.node('Shape', ['attention_mask']), g.constI64([1], [])], { attributes: { axis: attr.int(0) } });
    totalI32 = g.node('Cast', [total], { attributes: { to: attr.int(6) } });
  } else {
    mask = attentionMask(g, 'input_ids', 'attention_mask'); // [B, 1, 1, S, T]
  }
  // [B, S, heads·D] → [B, heads, S, D]
  const toHeads = (y: string, heads: number): string =>
    g.node('Transpose', [g.node('Reshape', [y, g.constI64([0, 0, heads, d])])], { attributes: { perm: attr.ints([0, 2, 1, 3]) } });
  const norm = (name: string): string => {
    const w = weight(name);
    return g.initializer({ name, dims: w.shape, data: w.data });
  };
  let x = g.node('SimplifiedLayerNormalization', [h, norm('model.layers.0.input_layernorm.weight')], { attributes: { axis: attr.int(-1), epsilon: attr.float(eps) } });
  let residual = h;
  for (let i = 0; i < config.numLayers; i++) {
    g.scope = `layers.${i}.attn`;
    const p = `model.layers.${i}.self_attn`;
    const bias = (n: string): WeightTensor | undefined => (config.attentionBias ? weight(`${p}.${n}.bias`) : undefined);
    const rope = (y: string): string => g.node('RotaryEmbedding', [y, 'position_ids', caches.cos, caches.sin], { domain: MS, attributes: { interleaved: attr.int(0) } });
    const q = rope(linear(g, x, `${p}.q_proj`, weight(`${p}.q_proj.weight`), bias('q_proj'), precision)); // [B, S, NH·D]
    const k = rope(linear(g, x, `${p}.k_proj`, weight(`${p}.k_proj.weight`), bias('k_proj'), precision)); // [B, S, KVH·D]
    const v = linear(g, x, `${p}.v_proj`, weight(`${p}.v_proj.weight`), bias('v_proj'), precision); // [B, S, KVH·D]
    let ctx: string; // [B, S, NH·D]
    if (gqa) {
      [ctx = ''] = g.nodeOutputs('GroupQueryAttention', [q, k, v, io.pastKey(i), io.pastValue(i), seqlensK, totalI32], {
        domain: MS,
        outputs: [`${g.scope}/gqa_out`, io.presentKey(i), io.presentValue(i)],
        attributes: { num_heads: attr.int(nh), kv_num_heads: attr.int(kvh), scale: attr.float(1 / Math.sqrt(d)) },
      });
    } else {
      const cacheIo = { pastKey: io.pastKey(i), pastValue: io.pastValue(i), presentKey: io.presentKey(i), presentValue: io.presentValue(i) };
      ctx = cachedAttention(g, toHeads(q, nh), toHeads(k, kvh), toHeads(v, kvh), config, cacheIo, mask);
    }
    const attn = linear(g, ctx, `${p}.o_proj`, weight(`${p}.o_proj.weight`), undefined, precision); // [B, S, H]
    [x, residual] = skipNorm(g, attn, residual, norm(`model.layers.${i}.post_attention_layernorm.weight`), eps);

    g.scope = `layers.${i}.mlp`;
    const m = `model.layers.${i}.mlp`;
    const gate = linear(g, x, `${m}.gate_proj`, weight(`${m}.gate_proj.weight`), undefined, precision); // [B, S, M]
    const up = linear(g, x, `${m}.up_proj`, weight(`${m}.up_proj.weight`), undefined, precision); // [B, S, M]
    const act = g.node('Mul', [g.node('Mul', [gate, g.node('Sigmoid', [gate])]), up]);
    const down = linear(g, act, `${m}.down_proj`, weight(`${m}.down_proj.weight`), undefined, precision); // [B, S, H]
    const next = i + 1 < config.numLayers ? `model.layers.${i + 1}.input_layernorm.weight` : 'model.norm.weight';
    [x, residual] = skipNorm(g, down, residual, norm(next), eps);
  }
  return x;
}

/** (RMSNorm(a + h) · w, a + h): SkipSimplifiedLayerNormalization's outputs 0 and 3. */
function skipNorm(g: GraphBuilder, a: string, h: string, gamma: string, eps: number): [string, string] {
  const id = `${g.scope}/skip_norm_${g.nodes.length}`;
  // '' skips the optional mean and inv_std_var outputs
  const [normed = '', , , sum = ''] = g.nodeOutputs('SkipSimplifiedLayerNormalization', [a, h, gamma], {
    domain: MS,
    outputs: [`${id}/normed`, '', '', `${id}/sum`],
    attributes: { epsilon: attr.float(eps) },
  });
  return [normed, sum];
}
