/**
 * The training graph's structure (what onnxruntime runs is checked numerically in
 * adapters/node/trainGraph.test.ts): its interface, that full training ships no weights, that every
 * shape on the gradient path is inferred statically (no in-graph broadcast fallback), LoRA wiring and
 * merging, and the errors for bad trainable sets and ops without a gradient rule.
 */
import { describe, expect, it } from 'vitest';
import { parseDecoderConfig } from '../onnx/decoderConfig';
import { GraphBuilder } from '../onnx/graphBuilder';
import { readModelSummary } from '../onnx/onnxProto';
import { TINY_DECODER_CONFIGS } from '../../testing/tinyDecoders';
import { createSeededUniform } from '../onnx/weights';
import { expectedWeightShapes, randomDecoderWeights } from '../onnx/weights';
import { appendBackward } from './autodiff';
import { initLora, LORA_ATTENTION_QV, LoraConfigError, loraShapes, mergeLora } from './lora';
import { inferShapes } from './shapeInference';
import { defaultPositionIds, trainingFeeds, TrainingFeedError } from '../learner/trainFeeds';
import { buildTrainingGraph, buildTrainingModel, gradName, TrainingGraphError } from './trainGraph';
import { UnsupportedGradientError } from './vjpRules';

const config = parseDecoderConfig(TINY_DECODER_CONFIGS.qwen2Gqa);
const weights = randomDecoderWeights(config, createSeededUniform(1));

describe('buildTrainingGraph', () => {
  it('full training: every weight is an input in HF layout with a grad output, and no weight is stored', () => {
    const t = buildTrainingGraph(config, weights, { loss: 'policy', trainable: { kind: 'full' } });
    const shapes = expectedWeightShapes(config);
    expect(t.params).toEqual([...shapes].map(([name, shape]) => ({ name, shape })));
    expect(t.inputs.map((v) => v.name).slice(0, 10)).toEqual([
      'input_ids', 'attention_mask', 'position_ids', 'loss_mask', 'advantages', 'old_log_probs', 'ref_log_probs', 'clip_epsilon', 'kl_coef', 'entropy_coef',
    ]);
    expect(t.outputs.map((v) => v.name)).toEqual(['loss', 'log_probs', 'entropy', 'entropy_mean', 'pg_loss', 'kl', 'clip_fraction', ...[...shapes.keys()].map(gradName)]);
    const stored = t.graph.initializers.map((i) => i.name);
    for (const name of shapes.keys()) expect(stored).not.toContain(name);
    // only the RoPE caches and small constants remain
    expect(t.graph.initializers.reduce((n, i) => n + i.data.length, 0)).toBeLessThan(2 * config.maxPositionEmbeddings * config.headDim + 1000);
  });

  it('infers every shape on the gradient path statically (no NonZero fallback) for all tiny configs', () => {
    for (const name of ['qwen2Gqa', 'llamaMha', 'qwen2WideHead'] as const) {
      const c = parseDecoderConfig(TINY_DECODER_CONFIGS[name]);
      const w = randomDecoderWeights(c, createSeededUniform(2));
      for (const trainable of [{ kind: 'full' } as const, { kind: 'lora', lora: { rank: 2, alpha: 4, targets: LORA_ATTENTION_QV } } as const]) {
        const t = buildTrainingGraph(c, w, { loss: 'policy', trainable });
        expect(t.graph.nodes.map((n) => n.opType)).not.toContain('NonZero');
        const info = inferShapes(t.graph.nodes, t.inputs, t.graph.initializers);
        expect(info.shape('logits')).toEqual([{ k: 1, s: ['batch_size'] }, { k: 1, s: ['sequence_length'] }, { k: c.vocabSize, s: [] }]);
      }
    }
  });

  it('LoRA: adapters are the inputs, base weights stay initializers, graph encodes with metadata', () => {
    const lora = { rank: 4, alpha: 8, targets: LORA_ATTENTION_QV, layers: [1] };
    const model = buildTrainingModel(config, weights, { loss: 'crossEntropy', trainable: { kind: 'lora', lora } });
    expect(model.params.map((p) => p.name)).toEqual([...loraShapes(config, lora).keys()]);
    expect(model.params.map((p) => p.name)).toEqual([
      'model.layers.1.self_attn.q_proj.lora_A.weight', 'model.layers.1.self_attn.q_proj.lora_B.weight',
      'model.layers.1.self_attn.v_proj.lora_A.weight', 'model.layers.1.self_attn.v_proj.lora_B.weight',
    ]);
    const summary = readModelSummary(model.bytes);
    expect(summary.initializers.map((i) => i.name)).toContain('model.layers.1.self_attn.q_proj.weight');
    expect(summary.outputs).toContain(gradName('model.layers.1.self_attn.v_proj.lora_B.weight'));
    expect(summary.opTypes.filter((o) => o === 'ScatterND')).toEqual([]); // the embedding is frozen
  });

  it('rejects unknown frozen names, an empty trainable set and bad LoRA configs', () => {
    expect(() => buildTrainingGraph(config, weights, { loss: 'crossEntropy', trainable: { kind: 'full', frozen: ['nope'] } })).toThrow(TrainingGraphError);
    const all = [...expectedWeightShapes(config).keys()];
    expect(() => buildTrainingGraph(config, weights, { loss: 'crossEntropy', trainable: { kind: 'full', frozen: all } })).toThrow(/Nothing to train/);
    expect(() => buildTrainingGraph(config, weights, { loss: 'crossEntropy', trainable: { kind: 'lora', lora: { rank: 0, alpha: 1, targets: ['q_proj'] } } })).toThrow(LoraConfigError);
    expect(() => loraShapes(config, { rank: 2, alpha: 1, targets: ['q_proj'], layers: [5] })).toThrow(/outside/);
  });

  it('a frozen subset stays stored and gets no gradient output', () => {
    const frozen = ['model.embed_tokens.weight', 'model.layers.0.mlp.up_proj.weight'];
    const t = buildTrainingGraph(config, weights, { loss: 'crossEntropy', trainable: { kind: 'full', frozen } });
    expect(t.params.map((p) => p.name)).not.toContain(frozen[0]);
    expect(t.graph.initializers.map((i) => i.name)).toEqual(expect.arrayContaining(frozen));
    expect(t.outputs.map((o) => o.name)).not.toContain(gradName(frozen[1] ?? ''));
  });
});

describe('appendBackward', () => {
  it('names the op without a gradient rule', () => {
    const g = new GraphBuilder();
    const y = g.node('Erf', ['x']);
    const loss = g.node('ReduceSum', [y], { attributes: { keepdims: { kind: 'int', value: 0 } } });
    const info = inferShapes(g.nodes, [{ name: 'x', dtype: 'float32', dims: [3] }], []);
    expect(() => appendBackward(g, [...g.nodes], { loss, wrt: ['x'], info, gradName })).toThrow(UnsupportedGradientError);
    expect(() => appendBackward(g, [...g.nodes], { loss, wrt: ['x'], info, gradName })).toThrow(/Erf/);
  });

  it('rejects a loss that does not depend on the parameters', () => {
    const g = new GraphBuilder();
    const loss = g.node('ReduceSum', ['y'], { attributes: { keepdims: { kind: 'int', value: 0 } } });
    const info = inferShapes(g.nodes, [], []);
    expect(() => appendBackward(g, [...g.nodes], { loss, wrt: ['x'], info, gradName })).toThrow(/does not depend/);
  });
});

describe('LoRA tensors', () => {
  const lora = { rank: 3, alpha: 6, targets: ['q_proj', 'down_proj'] as const };
  it('initialises A uniformly in ±1/√in and B to zero, deterministically', () => {
    const a = initLora(config, lora, createSeededUniform(5));
    expect([...a.keys()]).toEqual([...loraShapes(config, lora).keys()]);
    const qa = a.get('model.layers.0.self_attn.q_proj.lora_A.weight');
    expect(qa?.shape).toEqual([3, config.hiddenSize]);
    expect(Math.max(...(qa?.data ?? []).map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(config.hiddenSize));
    expect(a.get('model.layers.1.mlp.down_proj.lora_B.weight')?.data.every((v) => v === 0)).toBe(true);
    expect(initLora(config, lora, createSeededUniform(5)).get('model.layers.0.self_attn.q_proj.lora_A.weight')?.data).toEqual(qa?.data);
  });

  it('mergeLora adds (α/r)·B·A to the base weight and leaves the others untouched', () => {
    const adapters = initLora(config, lora, createSeededUniform(5));
    const rng = createSeededUniform(6);
    for (const [n, t] of adapters) if (n.endsWith('lora_B.weight')) adapters.set(n, { shape: t.shape, data: t.data.map(() => rng() - 0.5) });
    const merged = mergeLora(config, weights, lora, adapters);
    const name = 'model.layers.1.mlp.down_proj';
    const [out, inF] = [config.hiddenSize, config.intermediateSize];
    const a = adapters.get(`${name}.lora_A.weight`)?.data ?? new Float32Array();
    const b = adapters.get(`${name}.lora_B.weight`)?.data ?? new Float32Array();
    const o = 5;
    const i = 17;
    let delta = 0;
    for (let k = 0; k < 3; k++) delta += (b[o * 3 + k] ?? 0) * (a[k * inF + i] ?? 0);
    const base = weights.get(`${name}.weight`)?.data[o * inF + i] ?? 0;
    expect(merged.get(`${name}.weight`)?.data[o * inF + i]).toBeCloseTo(base + 2 * delta, 6);
    expect(merged.get(`${name}.weight`)?.shape).toEqual([out, inF]);
    expect(merged.get('model.layers.0.self_attn.k_proj.weight')).toBe(weights.get('model.layers.0.self_attn.k_proj.weight'));
  });
});

describe('trainingFeeds', () => {
  it('orders feeds like the graph inputs, derives HF position ids, and names what is missing', () => {
    const t = buildTrainingGraph(config, weights, { loss: 'crossEntropy', trainable: { kind: 'lora', lora: { rank: 2, alpha: 2, targets: ['q_proj'] } } });
    const adapters = initLora(config, { rank: 2, alpha: 2, targets: ['q_proj'] }, createSeededUniform(1));
    const batch = { inputIds: [[3, 4, 5], [0, 6, 7]], attentionMask: [[1, 1, 1], [0, 1, 1]], lossMask: [[0, 1, 1], [0, 0, 1]] };
    const feeds = trainingFeeds(t, batch, adapters);
    expect(feeds.map((f) => f.name)).toEqual(t.inputs.map((v) => v.name));
    expect(Array.from(feeds[2]?.data ?? [], Number)).toEqual([0, 1, 2, 0, 0, 1]);
    expect(defaultPositionIds([[1, 1, 0]])).toEqual([[0, 1, 1]]);
    expect(() => trainingFeeds(t, { ...batch, lossMask: [[0, 1]] }, adapters)).toThrow(TrainingFeedError);
    const p = buildTrainingGraph(config, weights, { loss: 'policy', trainable: { kind: 'lora', lora: { rank: 2, alpha: 2, targets: ['q_proj'] } } });
    expect(() => trainingFeeds(p, batch, adapters)).toThrow(/advantages/);
  });
});
