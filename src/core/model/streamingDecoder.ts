/**
 * The decoder graph of onnx/buildDecoder.ts, assembled layer by layer while the weights stream in, so a
 * 3B checkpoint is never held in float32 at once: each block's tensors are loaded, its linear layers are
 * quantised into the graph (q4 keeps 1/6.4 of the bytes), and the float32 copies are dropped before the
 * next block loads. Peak memory ≈ the q4 model + the float32 embedding + one block.
 *
 * It returns ModelData (not bytes) so the caller picks inline or external-data encoding (externalData.ts).
 * The wiring mirrors buildDecoderModel's standard (unfused) graph exactly — the test
 * `streamingDecoder.test.ts` checks the two produce identical bytes — using the same exported pieces of
 * onnx/decoderGraph.ts. TODO(#4): a `buildDecoderGraph(config, weight, options): ModelData` hook in
 * buildDecoder.ts would let both share one wiring function.
 *
 * Not for: the fused contrib-op graph (convert, then rebuild small models with buildDecoderModel if needed).
 */
import { DECODER_OPSET, decoderInputs, decoderMetadata, decoderOutputs, embedTokens, lmHead, pastKeyName, pastValueName, presentKeyName, presentValueName } from '../onnx/buildDecoder';
import { ropeInvFreq, type DecoderConfig } from '../onnx/decoderConfig';
import { attention, attentionMask, mlp, rmsNorm, rotaryCaches, rotaryTables, setMatMulNBitsAccuracy, type LayerContext, type Precision } from '../onnx/decoderGraph';
import { attr, GraphBuilder } from '../onnx/graphBuilder';
import type { ModelData } from '../onnx/onnxProto';
import { expectedWeightShapes, WeightShapeError, type WeightTensor } from '../onnx/weights';

export type TensorLoader = (name: string) => Promise<WeightTensor>;

/** One tensor read and placed; `tensorIndex` counts from 1 to `tensorCount`. */
export interface TensorLoadedEvent {
  type: 'tensor.loaded';
  name: string;
  tensorIndex: number;
  tensorCount: number;
}

/** The tensor names one block needs (`model.layers.{i}.…`), in expectedWeightShapes order. */
function blockTensorNames(shapes: Map<string, number[]>, layer: number): string[] {
  const prefix = `model.layers.${layer}.`;
  return [...shapes.keys()].filter((n) => n.startsWith(prefix));
}

/** Build the model while loading tensors through `load`; yields one event per tensor. */
export async function* streamDecoderGraph(
  config: DecoderConfig,
  load: TensorLoader,
  opts: { precision: Precision; signal?: AbortSignal; /** As BuildDecoderOptions.logitsLastOnly (for runtime-only files). */ logitsLastOnly?: boolean; /** As BuildDecoderOptions.accuracyLevel. */ accuracyLevel?: 0 | 1 | 2 | 3 | 4 },
): AsyncGenerator<TensorLoadedEvent, ModelData> {
  const { precision } = opts;
  const shapes = expectedWeightShapes(config);
  const tensorCount = shapes.size;
  let tensorIndex = 0;
  let loaded = new Map<string, WeightTensor>();
  const take = async (name: string): Promise<TensorLoadedEvent> => {
    opts.signal?.throwIfAborted();
    const t = await load(name);
    assertShape(name, t, shapes.get(name) ?? []);
    loaded.set(name, t);
    return { type: 'tensor.loaded', name, tensorIndex: ++tensorIndex, tensorCount };
  };
  const weight = (name: string): WeightTensor => {
    const t = loaded.get(name);
    if (t === undefined) throw new WeightShapeError(`Missing tensor ${name}.`);
    return t;
  };
  const g = new GraphBuilder();

  // 1. embeddings
  yield await take('model.embed_tokens.weight');
  const embed = weight('model.embed_tokens.weight');
  let h = embedTokens(g, config, embed, precision); // [B, S, H]

  // 2. the blocks: h = h + attn(norm(h)); h = h + mlp(norm(h)), each block's weights loaded just before it
  const rot = rotaryTables(g, 'position_ids', rotaryCaches(g, ropeInvFreq(config), config.maxPositionEmbeddings));
  const ctx: LayerContext = { rot, mask: attentionMask(g, 'input_ids', 'attention_mask'), weight, precision };
  for (let i = 0; i < config.numLayers; i++) {
    loaded = new Map([['model.embed_tokens.weight', embed]]); // drop the previous block's float32 copies
    for (const name of blockTensorNames(shapes, i)) yield await take(name);
    g.scope = `layers.${i}.attn`;
    const p = `model.layers.${i}`;
    const xAttn = rmsNorm(g, h, `${p}.input_layernorm.weight`, weight(`${p}.input_layernorm.weight`), config.rmsNormEps);
    const io = { pastKey: pastKeyName(i), pastValue: pastValueName(i), presentKey: presentKeyName(i), presentValue: presentValueName(i) };
    h = g.node('Add', [h, attention(g, xAttn, config, i, io, ctx)]);
    g.scope = `layers.${i}.mlp`;
    const xMlp = rmsNorm(g, h, `${p}.post_attention_layernorm.weight`, weight(`${p}.post_attention_layernorm.weight`), config.rmsNormEps);
    h = g.node('Add', [h, mlp(g, xMlp, i, ctx)]);
  }

  // 3. final norm and head
  loaded = new Map([['model.embed_tokens.weight', embed]]);
  yield await take('model.norm.weight');
  if (!config.tieWordEmbeddings) yield await take('lm_head.weight');
  g.scope = 'head';
  const normed = rmsNorm(g, h, 'model.norm.weight', weight('model.norm.weight'), config.rmsNormEps);
  const lastOnly = opts.logitsLastOnly === true;
  lmHead(g, normed, config, weight, precision, lastOnly);
  if (opts.accuracyLevel !== undefined) setMatMulNBitsAccuracy(g, opts.accuracyLevel);

  const opsets = [{ domain: '', version: DECODER_OPSET }];
  if (precision === 'q4') opsets.push({ domain: 'com.microsoft', version: 1 });
  return {
    graph: g.build(`${config.modelType}-decoder`, decoderInputs(config), decoderOutputs(config, { logitsLastOnly: lastOnly })),
    opsets,
    metadata: decoderMetadata(config, precision, false, lastOnly),
  };
}

function assertShape(name: string, t: WeightTensor, shape: readonly number[]): void {
  if (t.shape.length !== shape.length || t.shape.some((d, k) => d !== shape[k])) {
    throw new WeightShapeError(`Tensor ${name} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}] from config.json.`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (t.data.length !== count) throw new WeightShapeError(`Tensor ${name} holds ${t.data.length} values, its shape needs ${count}.`);
}
