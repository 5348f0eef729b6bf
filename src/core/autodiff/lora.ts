/**
 * LoRA adapters (Hu et al. 2021; PEFT's defaults) on the decoder's linear layers:
 *
 *   y = x·Wᵀ + b + (α / r) · (x·Aᵀ)·Bᵀ        A [r, in] ~ U(−1/√in, 1/√in),  B [out, r] = 0
 *
 * so a fresh adapter leaves the model unchanged and only A and B are trained (the base weights stay
 * frozen). `mergeLora` folds the adapters into the base weights (W ← W + (α/r)·B·A) for inference export.
 * Tensor names follow the layer: `model.layers.{i}.self_attn.q_proj.lora_A.weight` / `.lora_B.weight`.
 *
 * Not for: the graph wiring (trainGraph.ts) or adapter file formats.
 */
import type { DecoderConfig } from '../onnx/decoderConfig';
import { getWeight, LINEAR_NAMES, linearPrefix, linearShape, type DecoderWeights, type LinearName, type UniformRng, type WeightTensor } from '../onnx/weights';

export interface LoraConfig {
  rank: number;
  /** Scale numerator: the update is (alpha / rank)·B·A. */
  alpha: number;
  /** Which linear layers get adapters, e.g. ['q_proj', 'v_proj'] (PEFT's default for Llama) or all seven. */
  targets: readonly LinearName[];
  /** Layer indices; default every layer. */
  layers?: readonly number[];
}

/** q, v — the LoRA paper's choice. */
export const LORA_ATTENTION_QV: readonly LinearName[] = ['q_proj', 'v_proj'];
/** Every attention and MLP projection. */
export const LORA_ALL_LINEAR: readonly LinearName[] = LINEAR_NAMES;

export class LoraConfigError extends Error {
  override name = 'LoraConfigError';
}

export interface LoraTarget {
  /** `model.layers.{i}.self_attn.q_proj` (no `.weight`). */
  prefix: string;
  /** [out, in] of the base weight. */
  shape: [number, number];
  aName: string;
  bName: string;
}

export const loraAName = (prefix: string): string => `${prefix}.lora_A.weight`;
export const loraBName = (prefix: string): string => `${prefix}.lora_B.weight`;

/** The adapted layers, in layer then LINEAR_NAMES order. */
export function loraTargets(config: DecoderConfig, lora: LoraConfig): LoraTarget[] {
  if (!Number.isInteger(lora.rank) || lora.rank <= 0) throw new LoraConfigError(`LoRA rank must be a positive integer, got ${lora.rank}.`);
  if (!(lora.alpha > 0)) throw new LoraConfigError(`LoRA alpha must be positive, got ${lora.alpha}.`);
  const unknown = lora.targets.filter((t) => !LINEAR_NAMES.includes(t));
  if (unknown.length > 0 || lora.targets.length === 0) throw new LoraConfigError(`LoRA targets must be a non-empty subset of ${LINEAR_NAMES.join(', ')}; got ${JSON.stringify(lora.targets)}.`);
  const layers = lora.layers ?? Array.from({ length: config.numLayers }, (_, i) => i);
  const bad = layers.filter((i) => !Number.isInteger(i) || i < 0 || i >= config.numLayers);
  if (bad.length > 0) throw new LoraConfigError(`LoRA layers ${bad.join(', ')} are outside 0 … ${config.numLayers - 1}.`);
  const out: LoraTarget[] = [];
  for (const layer of [...new Set(layers)].sort((a, b) => a - b)) {
    for (const name of LINEAR_NAMES) {
      if (!lora.targets.includes(name)) continue;
      const prefix = linearPrefix(layer, name);
      out.push({ prefix, shape: linearShape(config, name), aName: loraAName(prefix), bName: loraBName(prefix) });
    }
  }
  return out;
}

/** Shapes of every adapter tensor (A then B per target). */
export function loraShapes(config: DecoderConfig, lora: LoraConfig): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  for (const t of loraTargets(config, lora)) {
    shapes.set(t.aName, [lora.rank, t.shape[1]]);
    shapes.set(t.bName, [t.shape[0], lora.rank]);
  }
  return shapes;
}

/** Fresh adapters: A ~ U(−1/√in, 1/√in) (PEFT's kaiming_uniform(a = √5)), B = 0. Pass a seeded rng. */
export function initLora(config: DecoderConfig, lora: LoraConfig, source: UniformRng): Map<string, WeightTensor> {
  const rng = typeof source === 'function' ? source : () => source.nextFloat();
  const out = new Map<string, WeightTensor>();
  for (const t of loraTargets(config, lora)) {
    const bound = 1 / Math.sqrt(t.shape[1]);
    const a = new Float32Array(lora.rank * t.shape[1]);
    for (let i = 0; i < a.length; i++) a[i] = (2 * rng() - 1) * bound;
    out.set(t.aName, { data: a, shape: [lora.rank, t.shape[1]] });
    out.set(t.bName, { data: new Float32Array(t.shape[0] * lora.rank), shape: [t.shape[0], lora.rank] });
  }
  return out;
}

/** Base weights with every adapter folded in: W ← W + (α/r)·B·A (accumulated in float64). Others shared. */
export function mergeLora(config: DecoderConfig, weights: DecoderWeights, lora: LoraConfig, adapters: ReadonlyMap<string, WeightTensor>): Map<string, WeightTensor> {
  const merged = new Map<string, WeightTensor>(weights);
  const scale = lora.alpha / lora.rank;
  for (const t of loraTargets(config, lora)) {
    const [outF, inF] = t.shape;
    const base = getWeight(weights, `${t.prefix}.weight`);
    const a = getWeight(adapters, t.aName).data; // [r, in]
    const b = getWeight(adapters, t.bName).data; // [out, r]
    const w = Float32Array.from(base.data);
    addLoraDelta(w, a, b, [outF, inF, lora.rank], scale);
    merged.set(`${t.prefix}.weight`, { data: w, shape: base.shape });
  }
  return merged;
}

/**
 * w ← w + scale·B·A in place, each element's sum over the rank accumulated in a JS number (float64) and
 * stored in w's own precision. w: [out, in], a: [r, in], b: [out, r].
 */
export function addLoraDelta(w: Float32Array | Float64Array, a: ArrayLike<number>, b: ArrayLike<number>, [outF, inF, r]: readonly [number, number, number], scale: number): void {
  for (let o = 0; o < outF; o++) {
    for (let i = 0; i < inF; i++) {
      let acc = 0;
      for (let k = 0; k < r; k++) acc += (b[o * r + k] ?? 0) * (a[k * inF + i] ?? 0);
      w[o * inF + i] = (w[o * inF + i] ?? 0) + scale * acc;
    }
  }
}
