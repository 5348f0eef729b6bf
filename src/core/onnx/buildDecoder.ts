/**
 * Build an ONNX model of a Qwen2/Llama decoder from a config and HF-named weights, in the standard
 * transformers.js / optimum layout (DESIGN.md §3):
 *
 *   input_ids               int64   [batch_size, sequence_length]
 *   attention_mask          int64   [batch_size, total_sequence_length]      (1 = real token, 0 = padding)
 *   position_ids            int64   [batch_size, sequence_length]
 *   past_key_values.{i}.key|value   float32 [batch_size, num_kv_heads, past_sequence_length, head_dim]
 *   → logits                float32 [batch_size, sequence_length, vocab_size]
 *   → present.{i}.key|value float32 [batch_size, num_kv_heads, total_sequence_length, head_dim]
 *
 * Precision 'fp32' uses standard ops only (opset 17); 'q4' replaces every linear layer (and an untied
 * lm_head) with com.microsoft MatMulNBits. The embedding stays float32 (a Gather), and a tied lm_head
 * reads the same initializer through Gemm(transB = 1), so it is stored once. 'q8' (standard ops) makes
 * every linear layer int8 per-channel × dynamically quantised activations (MatMulInteger, quantizeQ8.ts),
 * and a tied embedding too: one int8 [H, V] matrix is the head's B and, gathered by column, the embedding.
 *
 * Weights are inline: the file must stay under protobuf's 2 GiB (`ProtobufTooLargeError` otherwise).
 * `fused: true` swaps the blocks for onnxruntime's contrib ops (fusedDecoder.ts); the interface is the same.
 * Not for: training graphs.
 */
import { ropeInvFreq, type DecoderConfig } from './decoderConfig';
import { attention, attentionMask, mlp, rmsNorm, rotaryCaches, rotaryTables, linear, q8MatMul, setMatMulNBitsAccuracy, type LayerContext, type Precision } from './decoderGraph';
import { quantizeQ8 } from './quantizeQ8';
import { attr, GraphBuilder } from './graphBuilder';
import { encodeModel, type ValueInfo } from './onnxProto';
import { fusedBlocks } from './fusedDecoder';
import { assertDecoderWeights, getWeight, type DecoderWeights, type WeightTensor } from './weights';

export interface BuildDecoderOptions {
  precision: Precision;
  /**
   * Fused contrib ops (GroupQueryAttention, RotaryEmbedding, SkipSimplifiedLayerNormalization), see
   * fusedDecoder.ts. With attention 'gqa', exact for batch 1 and unpadded batches only (left-padded
   * batches need 'matmul' or the standard graph).
   */
  fused?: boolean;
  /**
   * With `fused`: how attention is computed. 'matmul' (default) = standard MatMul/Softmax attention over
   * the in-graph KV concat with GQA by broadcasting (decoderGraph.ts cachedAttention), the rest still
   * fused; 'gqa' = com.microsoft GroupQueryAttention. Measured on the Qwen2.5-0.5B shape, q4, 2 threads
   * (`npm run -s bench -- policy`): a 100-token observation after 200 / 2,000 tokens of context takes
   * 1.3 / 1.7 s on onnxruntime-web wasm with 'matmul' vs 2.5 / 10.1 s with 'gqa' (whose wasm kernel is an
   * order of magnitude slower than native at long context); native onnxruntime is within ~5% either way,
   * decode is unchanged. 'matmul' also honours attention_mask fully (left-padded batches are exact).
   * Ignored by the standard graph (always MatMul).
   */
  attention?: 'gqa' | 'matmul';
  /**
   * Compute the logits of the last position only: `logits` is [batch_size, 1, vocab_size] (HF's
   * num_logits_to_keep = 1). The hidden states are sliced to the last position before the head, so a
   * prefill of S tokens runs the V × H head once instead of S times (for Qwen2.5-0.5B, 136M MACs per
   * position, a quarter of the model). For generation (the LanguageModel port reads only the last row);
   * training and scoring need every position: leave it off there.
   */
  logitsLastOnly?: boolean;
  /**
   * q4 only: MatMulNBits `accuracy_level` (decoderGraph.ts setMatMulNBitsAccuracy). 4 lets native
   * onnxruntime compute with int8 activations; no effect on onnxruntime-web wasm (no n-bit kernels there).
   * Measured error on the tiny test models: 0.07–0.23 max |Δlogit| vs the dequantised reference, far
   * outside the q4 parity tolerance (1e-3) — opt-in only (ortNode.test.ts).
   * Absent: the attribute is not written (float32 compute).
   */
  accuracyLevel?: 0 | 1 | 2 | 3 | 4;
}

export class DecoderBuildError extends Error {
  override name = 'DecoderBuildError';
}

/** ai.onnx opset: 17 keeps ReduceMean's axes an attribute and loads on every onnxruntime ≥ 1.13. */
export const DECODER_OPSET = 17;

export const pastKeyName = (layer: number): string => `past_key_values.${layer}.key`;
export const pastValueName = (layer: number): string => `past_key_values.${layer}.value`;
export const presentKeyName = (layer: number): string => `present.${layer}.key`;
export const presentValueName = (layer: number): string => `present.${layer}.value`;

/** The graph's inputs, in order (also what a session's inputNames should be). */
export function decoderInputs(config: DecoderConfig): ValueInfo[] {
  const kvDims = ['batch_size', config.numKvHeads, 'past_sequence_length', config.headDim];
  const inputs: ValueInfo[] = [
    { name: 'input_ids', dtype: 'int64', dims: ['batch_size', 'sequence_length'] },
    { name: 'attention_mask', dtype: 'int64', dims: ['batch_size', 'total_sequence_length'] },
    { name: 'position_ids', dtype: 'int64', dims: ['batch_size', 'sequence_length'] },
  ];
  for (let i = 0; i < config.numLayers; i++) {
    inputs.push({ name: pastKeyName(i), dtype: 'float32', dims: kvDims }, { name: pastValueName(i), dtype: 'float32', dims: kvDims });
  }
  return inputs;
}

/** The graph's outputs, in order (logits [B, 1, V] with `logitsLastOnly`). */
export function decoderOutputs(config: DecoderConfig, options: Pick<BuildDecoderOptions, 'logitsLastOnly'> = {}): ValueInfo[] {
  const kvDims = ['batch_size', config.numKvHeads, 'total_sequence_length', config.headDim];
  const positions = options.logitsLastOnly === true ? 1 : 'sequence_length';
  const outputs: ValueInfo[] = [{ name: 'logits', dtype: 'float32', dims: ['batch_size', positions, config.vocabSize] }];
  for (let i = 0; i < config.numLayers; i++) {
    outputs.push({ name: presentKeyName(i), dtype: 'float32', dims: kvDims }, { name: presentValueName(i), dtype: 'float32', dims: kvDims });
  }
  return outputs;
}

/** Tied q8 embedding/head: int8 [H, V] (the embedding transposed, one scale per vocabulary row). */
const EMBED_Q8 = 'model.embed_tokens.weight_q8';
const EMBED_Q8_SCALES = 'model.embed_tokens.weight_scales';

/**
 * The token embeddings h = E[input_ids]: [B, S, H]. A Gather on the float32 table, except a tied q8 model,
 * which stores the table once as int8 [H, V] (quantizeQ8: per vocabulary row), shared with the head:
 *   h = float(Transpose(Gather(E_q, ids, axis 1), [1, 2, 0])) · scales[ids]
 * Shared with the streaming converter (core/model/streamingDecoder.ts), which must emit the same bytes.
 */
export function embedTokens(g: GraphBuilder, config: DecoderConfig, embed: WeightTensor, precision: Precision): string {
  if (precision !== 'q8' || !config.tieWordEmbeddings) {
    g.initializer({ name: 'model.embed_tokens.weight', dims: embed.shape, data: embed.data });
    return g.node('Gather', ['model.embed_tokens.weight', 'input_ids'], { attributes: { axis: attr.int(0) } }); // [B, S, H]
  }
  const q = quantizeQ8(embed);
  g.initializer({ name: EMBED_Q8, dims: [q.k, q.n], data: q.codes });
  g.initializer({ name: EMBED_Q8_SCALES, dims: [q.n], data: q.scales });
  const cols = g.node('Gather', [EMBED_Q8, 'input_ids'], { attributes: { axis: attr.int(1) } }); // [H, B, S] int8
  const codes = g.node('Cast', [g.node('Transpose', [cols], { attributes: { perm: attr.ints([1, 2, 0]) } })], { attributes: { to: attr.int(1) } }); // [B, S, H]
  const scale = g.node('Unsqueeze', [g.node('Gather', [EMBED_Q8_SCALES, 'input_ids'], { attributes: { axis: attr.int(0) } }), g.constI64([-1])]); // [B, S, 1]
  return g.node('Mul', [codes, scale]);
}

/**
 * logits = norm(h) · W_headᵀ. h: [B, S, H] → [B, S, V]; with `lastOnly`, h is first sliced to its last
 * position (h[:, −1:, :]) and the logits are [B, 1, V].
 * Tied: Gemm on [B·S, H] × embedᵀ reuses the embedding initializer (MatMul would need a transposed copy,
 * which onnxruntime would materialise by constant folding — a second V × H matrix in memory).
 * Shared with the streaming converter (core/model/streamingDecoder.ts), which must emit the same bytes.
 */
export function lmHead(g: GraphBuilder, normed: string, config: DecoderConfig, weight: (name: string) => WeightTensor, precision: Precision, lastOnly: boolean): string {
  // ends = 2^62: "to the end" (Slice clamps it to the dimension)
  const h = lastOnly ? g.node('Slice', [normed, g.constI64([-1]), g.constI64([2 ** 62]), g.constI64([1])]) : normed; // [B, S', H]
  if (!config.tieWordEmbeddings) {
    const y = linear(g, h, 'lm_head', weight('lm_head.weight'), undefined, precision);
    return g.node('Identity', [y], { outputs: ['logits'] });
  }
  if (precision === 'q8') return g.node('Identity', [q8MatMul(g, h, EMBED_Q8, EMBED_Q8_SCALES)], { outputs: ['logits'] }); // [B, S', V]
  const flat = g.node('Reshape', [h, g.constI64([-1, config.hiddenSize])]); // [B·S', H]
  const scores = g.node('Gemm', [flat, 'model.embed_tokens.weight'], { attributes: { transB: attr.int(1) } }); // [B·S', V]
  if (lastOnly) return g.node('Reshape', [scores, g.constI64([-1, 1, config.vocabSize])], { outputs: ['logits'] }); // [B, 1, V]
  const shape = g.node('Concat', [g.node('Shape', ['input_ids']), g.constI64([config.vocabSize])], { attributes: { axis: attr.int(0) } });
  return g.node('Reshape', [scores, shape], { outputs: ['logits'] }); // [B, S, V]
}

/** The decoder graph as ONNX bytes. Validates every weight shape first (`WeightShapeError`). */
export function buildDecoderModel(config: DecoderConfig, weights: DecoderWeights, options: BuildDecoderOptions): Uint8Array {
  const { precision } = options;
  if (precision !== 'fp32' && precision !== 'q4' && precision !== 'q8') throw new DecoderBuildError(`precision must be 'fp32', 'q4' or 'q8', got ${JSON.stringify(precision)}.`);
  const attention = options.attention ?? 'matmul';
  if (attention !== 'gqa' && attention !== 'matmul') throw new DecoderBuildError(`attention must be 'gqa' or 'matmul', got ${JSON.stringify(attention)}.`);
  assertDecoderWeights(config, weights);
  const g = new GraphBuilder();

  // 1. embeddings; 2. the blocks and final norm; 3. the head
  const h = embedTokens(g, config, getWeight(weights, 'model.embed_tokens.weight'), precision); // [B, S, H]
  const weight = (name: string): WeightTensor => getWeight(weights, name);
  const fused = options.fused === true;
  const normed = fused ? fusedBlocks(g, h, config, weight, precision, FUSED_IO, attention) : standardBlocks(g, h, config, weight, precision);
  g.scope = 'head';
  const lastOnly = options.logitsLastOnly === true;
  lmHead(g, normed, config, weight, precision, lastOnly);
  if (options.accuracyLevel !== undefined) setMatMulNBitsAccuracy(g, options.accuracyLevel);

  const opsets = [{ domain: '', version: DECODER_OPSET }];
  if (precision === 'q4' || fused) opsets.push({ domain: 'com.microsoft', version: 1 });
  return encodeModel({
    graph: g.build(`${config.modelType}-decoder`, decoderInputs(config), decoderOutputs(config, { logitsLastOnly: lastOnly })),
    opsets,
    metadata: decoderMetadata(config, precision, fused, lastOnly, fused ? attention : undefined),
  });
}

/**
 * metadata_props of a built decoder (`router_r1.logits` only when last-only and `router_r1.attention` only
 * for a fused 'matmul' graph, so older files keep their bytes).
 */
export function decoderMetadata(config: DecoderConfig, precision: Precision, fused: boolean, logitsLastOnly: boolean, attention?: 'gqa' | 'matmul'): Record<string, string> {
  const m: Record<string, string> = { 'router_r1.model_type': config.modelType, 'router_r1.precision': precision, 'router_r1.fused': String(fused) };
  if (logitsLastOnly) m['router_r1.logits'] = 'last';
  if (attention === 'matmul') m['router_r1.attention'] = 'matmul';
  return m;
}

const FUSED_IO = { pastKey: pastKeyName, pastValue: pastValueName, presentKey: presentKeyName, presentValue: presentValueName };

/** Standard ops (opset 17 only). h: [B, S, H] embeddings → [B, S, H] after the final norm. */
function standardBlocks(g: GraphBuilder, embeddings: string, config: DecoderConfig, weight: (name: string) => WeightTensor, precision: Precision): string {
  let h = embeddings;
  const ctx: LayerContext = {
    rot: rotaryTables(g, 'position_ids', rotaryCaches(g, ropeInvFreq(config), config.maxPositionEmbeddings)),
    mask: attentionMask(g, 'input_ids', 'attention_mask'),
    weight,
    precision,
  };

  // the blocks: h = h + attn(norm(h)); h = h + mlp(norm(h))
  for (let i = 0; i < config.numLayers; i++) {
    g.scope = `layers.${i}.attn`;
    const p = `model.layers.${i}`;
    const xAttn = rmsNorm(g, h, `${p}.input_layernorm.weight`, ctx.weight(`${p}.input_layernorm.weight`), config.rmsNormEps);
    const io = { pastKey: pastKeyName(i), pastValue: pastValueName(i), presentKey: presentKeyName(i), presentValue: presentValueName(i) };
    h = g.node('Add', [h, attention(g, xAttn, config, i, io, ctx)]);
    g.scope = `layers.${i}.mlp`;
    const xMlp = rmsNorm(g, h, `${p}.post_attention_layernorm.weight`, ctx.weight(`${p}.post_attention_layernorm.weight`), config.rmsNormEps);
    h = g.node('Add', [h, mlp(g, xMlp, i, ctx)]);
  }

  g.scope = 'head';
  return rmsNorm(g, h, 'model.norm.weight', weight('model.norm.weight'), config.rmsNormEps);
}
