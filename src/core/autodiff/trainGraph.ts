/**
 * The training graph of a decoder (DESIGN.md §4): the fp32 standard-op forward over the full sequence
 * (no KV cache), a loss (lossGraph.ts), and its reverse-mode gradient (autodiff.ts), as one ONNX model
 * that onnxruntime (node, wasm, WebGPU) runs like any other:
 *
 *   inputs   input_ids, attention_mask, position_ids   int64   [batch_size, sequence_length]
 *            loss_mask (+ advantages, old_log_probs, ref_log_probs)   float32 [batch_size, sequence_length]
 *            (policy) clip_epsilon, kl_coef, entropy_coef           float32 scalars
 *            every trainable parameter, under its HF name and in HF layout (a linear weight is [out, in])
 *   outputs  loss, log_probs, entropy, entropy_mean (+ pg_loss, kl, clip_fraction), grad.<param> per parameter
 *
 * Value head (policy loss, `valueHead: true`; PPO's critic): two more trainable inputs, value_head.weight
 * [1, H] and value_head.bias [1], read the final-norm hidden state (the one lm_head reads):
 *   v[b, s] = Σ_h normed[b, s, h]·w[0, h] + bias                                    [B, S]
 * with inputs returns, old_values [B, S] and value_coef, value_clip; outputs values and value_loss
 * (lossGraph.ts has the value loss). Its gradient reaches the head and the backbone.
 *
 * Trainable sets: 'full' (every weight a graph input — the file holds no weights, so an optimizer step
 * needs no rebuild) or 'lora' (base weights frozen as initializers, adapters lora.ts as inputs).
 * The forward reuses the builder's blocks (decoderGraph.ts, buildDecoder.lmHead) and then edits the node
 * list: trainable linear weights become inputs with a Transpose (the builder stores them [in, out]),
 * and LoRA branches are spliced in after their base MatMul.
 *
 * Not for: q4 or fused graphs (no gradient rules for contrib ops), the optimizer, or the loop.
 */
import { DECODER_OPSET, lmHead } from '../onnx/buildDecoder';
import { ropeInvFreq, type DecoderConfig } from '../onnx/decoderConfig';
import { attention, attentionMask, mlp, rmsNorm, rotaryCaches, rotaryTables, type LayerContext } from '../onnx/decoderGraph';
import { attr, GraphBuilder } from '../onnx/graphBuilder';
import { encodeModel, type GraphData, type NodeData, type ValueInfo } from '../onnx/onnxProto';
import { assertDecoderWeights, expectedWeightShapes, getWeight, type DecoderWeights, type WeightTensor } from '../onnx/weights';
import { appendBackward } from './autodiff';
import { appendLoss, lossInputs, lossOutputs, type LossReduction, type TrainingLoss } from './lossGraph';
import { loraShapes, loraTargets, type LoraConfig } from './lora';
import { inferShapes } from './shapeInference';

export type TrainableSet = { kind: 'full'; /** HF names kept frozen (initializers). */ frozen?: readonly string[] } | { kind: 'lora'; lora: LoraConfig };

export interface TrainingGraphOptions {
  loss: TrainingLoss;
  trainable: TrainableSet;
  /** Default 'tokenMean' (loss_mask is 0/1); 'weightedSum' when loss_mask holds weights with Σ = 1. */
  reduction?: LossReduction;
  /** Policy loss only: add the value head (VALUE_HEAD_PARAMS, trained in every trainable set). */
  valueHead?: boolean;
}

export interface TrainableParam {
  name: string;
  shape: number[];
}

export interface TrainingGraph {
  graph: GraphData;
  opsets: { domain: string; version: number }[];
  /** Trainable parameters in graph-input order. */
  params: TrainableParam[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

export class TrainingGraphError extends Error {
  override name = 'TrainingGraphError';
}

export const TRAIN_TOKEN_INPUTS = ['input_ids', 'attention_mask', 'position_ids'] as const;
export const gradName = (param: string): string => `grad.${param}`;
const TOKENS = ['batch_size', 'sequence_length'] as const;

/** The value head's trainable tensors (not decoder weights: the inference model has no value head). */
export const VALUE_HEAD_PARAMS = { weight: 'value_head.weight', bias: 'value_head.bias' } as const;
export const valueHeadShapes = (config: DecoderConfig): TrainableParam[] => [
  { name: VALUE_HEAD_PARAMS.weight, shape: [1, config.hiddenSize] },
  { name: VALUE_HEAD_PARAMS.bias, shape: [1] },
];

/** The training graph as node lists (before encoding). `weights` supply the frozen tensors. */
export function buildTrainingGraph(config: DecoderConfig, weights: DecoderWeights, options: TrainingGraphOptions): TrainingGraph {
  assertDecoderWeights(config, weights);
  const valueHead = options.valueHead === true;
  if (valueHead && options.loss !== 'policy') throw new TrainingGraphError('A value head trains with the policy loss only.');
  const g = new GraphBuilder();
  const { logits, hidden } = forwardLogits(g, config, weights);

  // 1. the trainable set becomes graph inputs
  const params: TrainableParam[] = [];
  if (options.trainable.kind === 'full') {
    const frozen = new Set(options.trainable.frozen ?? []);
    const shapes = expectedWeightShapes(config);
    const unknown = [...frozen].filter((n) => !shapes.has(n));
    if (unknown.length > 0) throw new TrainingGraphError(`Cannot freeze ${unknown.join(', ')}: not a weight of this model.`);
    for (const [name, shape] of shapes) {
      if (frozen.has(name)) continue;
      liftToInput(g, name, shape);
      params.push({ name, shape });
    }
  } else {
    const lora = options.trainable.lora;
    spliceLora(g, config, lora);
    for (const [name, shape] of loraShapes(config, lora)) params.push({ name, shape });
  }
  if (params.length === 0) throw new TrainingGraphError('Nothing to train: every weight is frozen.');
  let values: string | undefined;
  if (valueHead) {
    g.scope = 'value_head';
    const projected = g.node('Mul', [hidden, VALUE_HEAD_PARAMS.weight]); // [B, S, H]
    const summed = g.node('ReduceSum', [projected, g.constI64([-1])], { attributes: { keepdims: attr.int(0) } }); // [B, S]
    values = g.node('Add', [summed, VALUE_HEAD_PARAMS.bias]); // [B, S], predicted at s
    g.scope = '';
    params.push(...valueHeadShapes(config));
  }

  // 2. the loss, then its gradient
  const loss = appendLoss(g, logits, 'input_ids', { loss: options.loss, reduction: options.reduction ?? 'tokenMean', vocabSize: config.vocabSize, ...(values === undefined ? {} : { values }) });
  const paramInputs: ValueInfo[] = params.map((p) => ({ name: p.name, dtype: 'float32', dims: p.shape }));
  const inputs: ValueInfo[] = [...TRAIN_TOKEN_INPUTS.map((name): ValueInfo => ({ name, dtype: 'int64', dims: TOKENS })), ...lossInputs(options.loss, valueHead), ...paramInputs];
  const forward = [...g.nodes];
  const info = inferShapes(forward, inputs, g.initializers);
  appendBackward(g, forward, { loss, wrt: params.map((p) => p.name), info, gradName });

  const outputs: ValueInfo[] = [...lossOutputs(options.loss, valueHead), ...params.map((p): ValueInfo => ({ name: gradName(p.name), dtype: 'float32', dims: p.shape }))];
  const name = `${config.modelType}-train-${options.loss}-${options.trainable.kind}${valueHead ? '-value' : ''}`;
  return { graph: g.build(name, inputs, outputs), opsets: [{ domain: '', version: DECODER_OPSET }], params, inputs, outputs };
}

/** The training graph as ONNX bytes, with its interface. */
export function buildTrainingModel(config: DecoderConfig, weights: DecoderWeights, options: TrainingGraphOptions): Omit<TrainingGraph, 'graph'> & { bytes: Uint8Array } {
  const t = buildTrainingGraph(config, weights, options);
  const bytes = encodeModel({ graph: t.graph, opsets: t.opsets, metadata: { 'router_r1.model_type': config.modelType, 'router_r1.graph': 'train', 'router_r1.loss': options.loss, 'router_r1.trainable': options.trainable.kind } });
  return { bytes, opsets: t.opsets, params: t.params, inputs: t.inputs, outputs: t.outputs };
}

/**
 * Embeddings → blocks → final norm → head, as buildDecoder's standard graph but over the whole sequence:
 * each layer's past is an empty [B, KVH, 0, D] tensor, so attention's cache concat is the identity.
 */
function forwardLogits(g: GraphBuilder, config: DecoderConfig, weights: DecoderWeights): { logits: string; hidden: string } {
  const weight = (name: string): WeightTensor => getWeight(weights, name);
  const embed = weight('model.embed_tokens.weight');
  g.initializer({ name: 'model.embed_tokens.weight', dims: embed.shape, data: embed.data });
  let h = g.node('Gather', ['model.embed_tokens.weight', 'input_ids'], { attributes: { axis: attr.int(0) } }); // [B, S, H]
  const batch = g.node('Slice', [g.node('Shape', ['input_ids']), g.constI64([0]), g.constI64([1]), g.constI64([0])]); // [1]
  const emptyShape = g.node('Concat', [batch, g.constI64([config.numKvHeads, 0, config.headDim])], { attributes: { axis: attr.int(0) } });
  const emptyPast = g.node('ConstantOfShape', [emptyShape]); // [B, KVH, 0, D]
  const ctx: LayerContext = {
    rot: rotaryTables(g, 'position_ids', rotaryCaches(g, ropeInvFreq(config), config.maxPositionEmbeddings)),
    mask: attentionMask(g, 'input_ids', 'attention_mask'),
    weight,
    precision: 'fp32',
  };
  for (let i = 0; i < config.numLayers; i++) {
    g.scope = `layers.${i}.attn`;
    const p = `model.layers.${i}`;
    const xAttn = rmsNorm(g, h, `${p}.input_layernorm.weight`, weight(`${p}.input_layernorm.weight`), config.rmsNormEps);
    const io = { pastKey: emptyPast, pastValue: emptyPast, presentKey: `train.layers.${i}.keys`, presentValue: `train.layers.${i}.values` };
    h = g.node('Add', [h, attention(g, xAttn, config, i, io, ctx)]);
    g.scope = `layers.${i}.mlp`;
    const xMlp = rmsNorm(g, h, `${p}.post_attention_layernorm.weight`, weight(`${p}.post_attention_layernorm.weight`), config.rmsNormEps);
    h = g.node('Add', [h, mlp(g, xMlp, i, ctx)]);
  }
  g.scope = 'head';
  const normed = rmsNorm(g, h, 'model.norm.weight', weight('model.norm.weight'), config.rmsNormEps);
  const logits = lmHead(g, normed, config, weight, 'fp32', false); // [B, S, V]
  g.scope = '';
  return { logits, hidden: normed };
}

/**
 * Turn the initializer `name` into a graph input in HF layout. The builder stores a linear weight
 * transposed ([in, out] for MatMul), so such an input gets a Transpose in front of its readers.
 */
function liftToInput(g: GraphBuilder, name: string, hfShape: readonly number[]): void {
  const at = g.initializers.findIndex((t) => t.name === name);
  if (at < 0) throw new TrainingGraphError(`The forward graph has no initializer ${name}; the builder's naming changed (see decoderGraph.ts).`);
  const dims = (g.initializers[at] as { dims: readonly number[] }).dims;
  g.initializers.splice(at, 1);
  // by name, not by dims: a square weight (q_proj when NH·D = H) looks the same either way
  const linear = /_proj\.weight$/.test(name) || name === 'lm_head.weight';
  const expected = linear ? [hfShape[1], hfShape[0]] : hfShape;
  if (dims.length !== expected.length || dims.some((d, i) => d !== expected[i])) {
    throw new TrainingGraphError(`Initializer ${name} has dims [${dims.join(', ')}], expected [${expected.join(', ')}]; the builder's weight layout changed.`);
  }
  if (!linear) return;
  const t = `${name}/transposed`;
  renameInputs(g.nodes, name, t, 0);
  g.nodes.unshift({ opType: 'Transpose', inputs: [name], outputs: [t], name: `params/${name}/Transpose`, attributes: { perm: attr.ints([1, 0]) } });
}

/** Replace every read of `from` by `to` in nodes[start …]. */
function renameInputs(nodes: NodeData[], from: string, to: string, start: number): void {
  for (let i = start; i < nodes.length; i++) {
    const n = nodes[i] as NodeData;
    if (n.inputs.includes(from)) nodes[i] = { ...n, inputs: n.inputs.map((x) => (x === from ? to : x)) };
  }
}

/** After each target's base MatMul (x · Wᵀ), add (α/r)·(x·Aᵀ)·Bᵀ to its output. */
function spliceLora(g: GraphBuilder, config: DecoderConfig, lora: LoraConfig): void {
  const scale = g.constF32([lora.alpha / lora.rank]);
  for (const t of loraTargets(config, lora)) {
    const at = g.nodes.findIndex((n) => n.opType === 'MatMul' && n.inputs[1] === `${t.prefix}.weight`);
    const base = g.nodes[at];
    if (base === undefined) throw new TrainingGraphError(`No fp32 MatMul reads ${t.prefix}.weight; the builder's linear() changed.`);
    const [x = '', y = ''] = [base.inputs[0], base.outputs[0]];
    const start = g.nodes.length;
    g.scope = `lora/${t.prefix}`;
    const aT = g.node('Transpose', [t.aName], { attributes: { perm: attr.ints([1, 0]) } }); // [in, r]
    const bT = g.node('Transpose', [t.bName], { attributes: { perm: attr.ints([1, 0]) } }); // [r, out]
    const update = g.node('Mul', [g.node('MatMul', [g.node('MatMul', [x, aT]), bT]), scale]); // [B, S, out]
    const adapted = g.node('Add', [y, update]);
    const added = g.nodes.splice(start);
    g.nodes.splice(at + 1, 0, ...added);
    renameInputs(g.nodes, y, adapted, at + 1 + added.length);
  }
  g.scope = '';
}
