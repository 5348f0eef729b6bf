/**
 * The decoder's weights under their Hugging Face names, as float32 arrays with shapes, plus the shape
 * contract every importer must pass (nanoGPT's "weight import asserts every shape") and a seeded random
 * initialiser for tiny test models.
 *
 * Layout is HF's: a linear layer's weight is [out_features, in_features] (y = x · Wᵀ + b).
 * Not for: loading files (safetensors parsing lives with the converter) or quantisation (quantizeQ4.ts).
 */
import type { DecoderConfig } from './decoderConfig';

export interface WeightTensor {
  /** Row-major values. */
  data: Float32Array;
  shape: readonly number[];
}

/** HF tensor name → tensor (e.g. `model.layers.0.self_attn.q_proj.weight`). */
export type DecoderWeights = ReadonlyMap<string, WeightTensor>;

/** A uniform [0, 1) source; pass a seeded one (core never uses Math.random). */
export type UniformSource = () => number;

/** A bare uniform function, or anything with `nextFloat()` (core/math's `Rng`, e.g. `createRng(seed).fork('weights')`). */
export type UniformRng = UniformSource | { nextFloat(): number };

export class WeightShapeError extends Error {
  override name = 'WeightShapeError';
}

export const LINEAR_NAMES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LinearName = (typeof LINEAR_NAMES)[number];

/** `model.layers.{i}.self_attn.q_proj` / `model.layers.{i}.mlp.gate_proj` (without `.weight`). */
export function linearPrefix(layer: number, linear: LinearName): string {
  const block = linear === 'gate_proj' || linear === 'up_proj' || linear === 'down_proj' ? 'mlp' : 'self_attn';
  return `model.layers.${layer}.${block}.${linear}`;
}

/** [out, in] of each linear layer. */
export function linearShape(config: DecoderConfig, linear: LinearName): [number, number] {
  const { hiddenSize: h, intermediateSize: m, numHeads, numKvHeads, headDim: d } = config;
  switch (linear) {
    case 'q_proj':
      return [numHeads * d, h];
    case 'k_proj':
    case 'v_proj':
      return [numKvHeads * d, h];
    case 'o_proj':
      return [h, numHeads * d];
    case 'gate_proj':
    case 'up_proj':
      return [m, h];
    case 'down_proj':
      return [h, m];
  }
}

/** Every tensor the config requires, with its shape. */
export function expectedWeightShapes(config: DecoderConfig): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  shapes.set('model.embed_tokens.weight', [config.vocabSize, config.hiddenSize]);
  for (let i = 0; i < config.numLayers; i++) {
    for (const linear of LINEAR_NAMES) {
      shapes.set(`${linearPrefix(i, linear)}.weight`, linearShape(config, linear));
      if (config.attentionBias && (linear === 'q_proj' || linear === 'k_proj' || linear === 'v_proj')) {
        shapes.set(`${linearPrefix(i, linear)}.bias`, [linearShape(config, linear)[0]]);
      }
    }
    shapes.set(`model.layers.${i}.input_layernorm.weight`, [config.hiddenSize]);
    shapes.set(`model.layers.${i}.post_attention_layernorm.weight`, [config.hiddenSize]);
  }
  shapes.set('model.norm.weight', [config.hiddenSize]);
  if (!config.tieWordEmbeddings) shapes.set('lm_head.weight', [config.vocabSize, config.hiddenSize]);
  return shapes;
}

/** Parameter count of a decoder (tied embeddings counted once). */
export function parameterCount(config: DecoderConfig): number {
  let n = 0;
  for (const shape of expectedWeightShapes(config).values()) n += shape.reduce((a, b) => a * b, 1);
  return n;
}

/**
 * Check that every required tensor is present with the right shape and element count. Extra tensors
 * (e.g. a redundant lm_head.weight in a tied checkpoint, rotary inv_freq buffers) are ignored.
 */
export function assertDecoderWeights(config: DecoderConfig, weights: DecoderWeights): void {
  for (const [name, shape] of expectedWeightShapes(config)) {
    const t = weights.get(name);
    if (t === undefined) throw new WeightShapeError(`Missing tensor ${name} (expected shape [${shape.join(', ')}]); check the checkpoint matches config.json.`);
    if (t.shape.length !== shape.length || t.shape.some((d, k) => d !== shape[k])) {
      throw new WeightShapeError(`Tensor ${name} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}] from config.json.`);
    }
    const count = shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== count) throw new WeightShapeError(`Tensor ${name} holds ${t.data.length} values, its shape needs ${count}.`);
  }
}

/** The tensor or a `WeightShapeError` naming it. */
export function getWeight(weights: DecoderWeights, name: string): WeightTensor {
  const t = weights.get(name);
  if (t === undefined) throw new WeightShapeError(`Missing tensor ${name}.`);
  return t;
}

/** lm_head as [vocab, hidden]: the embedding matrix itself when tied. */
export function lmHeadWeight(config: DecoderConfig, weights: DecoderWeights): WeightTensor {
  return getWeight(weights, config.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight');
}

/**
 * Random weights for tiny test models. Scales keep activations O(1) through a few layers so logits differ
 * between tokens (a test on near-constant logits would prove little):
 *   embeddings ~ U(−1, 1); linear W ~ U(−a, a), a = √(3 / in) (unit-variance outputs); biases ~ U(−0.1, 0.1);
 *   norm weights ~ 1 + U(−0.2, 0.2) (not all ones, so a mis-wired norm weight shows).
 */
export function randomDecoderWeights(config: DecoderConfig, source: UniformRng): Map<string, WeightTensor> {
  const rng = typeof source === 'function' ? source : () => source.nextFloat();
  const weights = new Map<string, WeightTensor>();
  const uniform = (n: number, lo: number, hi: number): Float32Array => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rng();
    return a;
  };
  for (const [name, shape] of expectedWeightShapes(config)) {
    const count = shape.reduce((a, b) => a * b, 1);
    let data: Float32Array;
    if (name.endsWith('norm.weight')) data = uniform(count, 0.8, 1.2);
    else if (name.endsWith('.bias')) data = uniform(count, -0.1, 0.1);
    else if (name === 'model.embed_tokens.weight') data = uniform(count, -1, 1);
    else {
      const a = Math.sqrt(3 / (shape[1] ?? 1));
      data = uniform(count, -a, a);
    }
    weights.set(name, { data, shape });
  }
  return weights;
}

/**
 * (1 − t)·a + t·b, tensor by tensor: two checkpoints of the same config mixed (t = 0.5: the element-wise
 * mean), e.g. the α demo's undecided start (two warm-ups mixed). Names and sizes must match.
 */
export function mixWeights(a: DecoderWeights, b: DecoderWeights, t: number): Map<string, WeightTensor> {
  if (b.size !== a.size) throw new WeightShapeError(`the two weight sets have different tensors (${a.size} vs ${b.size}); mix weights of the same config.`);
  const out = new Map<string, WeightTensor>();
  for (const [name, x] of a) {
    const y = b.get(name);
    if (y === undefined || y.data.length !== x.data.length) throw new WeightShapeError(`tensor ${name} differs between the two weight sets; mix weights of the same config.`);
    const d = new Float32Array(x.data.length);
    for (let i = 0; i < d.length; i++) d[i] = (1 - t) * (x.data[i] as number) + t * (y.data[i] as number);
    out.set(name, { data: d, shape: x.shape });
  }
  return out;
}

/** mulberry32: a 32-bit seeded generator of uniforms in [0, 1); tiny, fast, good enough for fixtures. */
export function createSeededUniform(seed: number): UniformSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
