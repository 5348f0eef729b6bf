/**
 * What an ONNX decoder graph itself says about its shape, read from its declared I/O dims and its
 * initializers' dims, and where config.json disagrees with it. config.json is only a description: a
 * `hidden_size` of 1e9 would size memory estimates ("3.7 TB") and a `max_position_embeddings` of 1e12
 * would let an episode index past the graph's rotary cache (onnxruntime: "Gather … idx=512 must be
 * within the inclusive range [-512,511]"). The graph is what runs, so the graph wins.
 *
 * Each fact is read only where the graph states it (a transformers.js export may have symbolic dims or
 * other initializer names, or compute rotary angles without a cache): a fact the graph does not state
 * is not checked. Names are those of the project's builder (buildDecoder.ts) and of optimum exports.
 *
 * Not for: the I/O names themselves (checkDecoderInterface in modelFolder.ts) or any weight data.
 */
import type { DecoderConfig } from '../onnx/decoderConfig';
import type { ModelSummary } from '../onnx/onnxProto';

export interface GraphShapes {
  /** past_key_values.{i}.key inputs. */
  layers: number;
  /** past_key_values.0.key: [batch, kv heads, past, head dim]. */
  kvHeads?: number;
  headDim?: number;
  /** The query projection's outputs: heads × head dim. */
  queryWidth?: { value: number; from: string };
  hiddenSize?: { value: number; from: string };
  vocabSize?: { value: number; from: string };
  /** Rows of the rotary cos cache: the positions the graph can embed. */
  positions?: { value: number; from: string };
}

export interface ConfigDisagreement {
  /** The config.json field. */
  field: string;
  configValue: number;
  graphValue: number;
  /** Where in the graph the value was read. */
  from: string;
}

const num = (d: number | string | undefined): number | undefined => (typeof d === 'number' && d > 0 ? d : undefined);

/** The graph's own sizes (the ones it states). */
export function readGraphShapes(summary: ModelSummary): GraphShapes {
  const dimsOf = (name: string): readonly (number | string)[] | undefined => summary.valueDims.find((v) => v.name === name)?.dims;
  const init = new Map(summary.initializers.map((t) => [t.name, t.dims]));
  const fact = (candidates: [name: string, axis: number][]): { value: number; from: string } | undefined => {
    for (const [name, axis] of candidates) {
      const value = num(init.get(name)?.[axis]);
      if (value !== undefined) return { value, from: `${name} [${(init.get(name) ?? []).join(', ')}]` };
    }
    return undefined;
  };
  let layers = 0;
  for (const name of summary.inputs) {
    const m = /^past_key_values\.(\d+)\.key$/.exec(name);
    if (m !== null) layers = Math.max(layers, Number(m[1]) + 1);
  }
  const kv = dimsOf('past_key_values.0.key');
  const logits = num(dimsOf('logits')?.[2]);
  const q = 'model.layers.0.self_attn.q_proj';
  const shapes: GraphShapes = { layers };
  const kvHeads = num(kv?.[1]);
  const headDim = num(kv?.[3]);
  if (kvHeads !== undefined) shapes.kvHeads = kvHeads;
  if (headDim !== undefined) shapes.headDim = headDim;
  // fp32: MatMul weight [in, out]; q8: int8 [in, out]; q4: MatMulNBits [out, blocks, bytes]; bias [out].
  const queryWidth = fact([[`${q}.weight`, 1], [`${q}.weight_q8`, 1], [`${q}.weight_q4`, 0], [`${q}.bias`, 0]]);
  if (queryWidth !== undefined) shapes.queryWidth = queryWidth;
  const hiddenSize = fact([['model.norm.weight', 0], ['model.embed_tokens.weight', 1], ['model.embed_tokens.weight_q8', 0]]);
  if (hiddenSize !== undefined) shapes.hiddenSize = hiddenSize;
  const vocabSize = logits !== undefined ? { value: logits, from: `the logits output [${(dimsOf('logits') ?? []).join(', ')}]` } : fact([['model.embed_tokens.weight', 0], ['model.embed_tokens.weight_q8', 1]]);
  if (vocabSize !== undefined) shapes.vocabSize = vocabSize;
  const cos = summary.initializers.find((t) => /(^|[./_])cos_cached?$/.test(t.name));
  const positions = cos === undefined ? undefined : fact([[cos.name, 0]]);
  if (positions !== undefined) shapes.positions = positions;
  return shapes;
}

/**
 * Where config.json disagrees with the graph: any difference in size, depth, heads or vocabulary, and a
 * max_position_embeddings beyond the rotary cache (fewer positions than the graph holds are safe).
 */
export function configDisagreements(config: DecoderConfig, g: GraphShapes): ConfigDisagreement[] {
  const out: ConfigDisagreement[] = [];
  const differ = (field: string, configValue: number, graph: { value: number; from: string } | undefined, unsafe = configValue !== graph?.value): void => {
    if (graph !== undefined && unsafe) out.push({ field, configValue, graphValue: graph.value, from: graph.from });
  };
  differ('num_hidden_layers', config.numLayers, { value: g.layers, from: `its past_key_values.{0…${g.layers - 1}} inputs` });
  differ('hidden_size', config.hiddenSize, g.hiddenSize);
  differ('vocab_size', config.vocabSize, g.vocabSize);
  const kvFrom = 'past_key_values.0.key [batch, kv heads, past, head dim]';
  differ('num_key_value_heads', config.numKvHeads, g.kvHeads === undefined ? undefined : { value: g.kvHeads, from: kvFrom });
  differ('head_dim', config.headDim, g.headDim === undefined ? undefined : { value: g.headDim, from: kvFrom });
  const headDim = g.headDim ?? config.headDim;
  if (g.queryWidth !== undefined && g.queryWidth.value % headDim === 0) {
    differ('num_attention_heads', config.numHeads, { value: g.queryWidth.value / headDim, from: `${g.queryWidth.from} (heads × head dim ${headDim})` });
  }
  if (g.positions !== undefined) differ('max_position_embeddings', config.maxPositionEmbeddings, g.positions, config.maxPositionEmbeddings > g.positions.value);
  return out;
}
