/**
 * How much memory one run of the training graph (trainGraph.ts) takes in the runtime (onnxruntime's heap:
 * the 4 GiB wasm heap in the browser, process memory in the CLI), and the optimizer's JS-side state, from the
 * decoder's config, the trainable set and the batch shape [rows, T]. Pure arithmetic: an estimate to refuse a
 * configuration before it starts and to split a batch into row chunks (onnxLearner.ts), not a measurement.
 *
 * Counted, in float32 (4 bytes), with H hidden, M MLP width, NH/KVH heads, D head dim, V vocab, L layers,
 * T = seqLen and P the parameter count:
 *
 *   parameters   every trainable tensor fed as an input; for full training also the Transpose each linear
 *                weight gets in front of its MatMul (liftToInput), i.e. ≈ 2·P_trainable
 *   gradients    grad.<param> outputs, P_trainable, plus one embedding-sized accumulator (the Gather's
 *                scatter, summed with lm_head's when tied)
 *   frozen       initializers: the base weights under LoRA (and `frozen` names under full training),
 *                with the rotary caches (maxPositions · D · 2)
 *   activations  the forward tensors the backward reads (vjpRules.ts), per token per layer:
 *                  norms 2 × (x/rms, out) + 2 residual sums + the o_proj output        8·H
 *                  q and merged heads (NH·D each), rotated k and v (KVH·D each)        2·NH·D + 2·KVH·D
 *                  MLP: gate, σ(gate), gate·σ, up, act                                5·M
 *                  attention probs [NH, T] (Softmax's and the probs·V MatMul's input)  NH·T
 *                plus one layer's working set (the scores, scaled, masked and softmaxed tensors in the
 *                forward, or their gradients in the backward: 4·NH·T, and the gradients of that layer's
 *                kept tensors), alive only while that layer runs. A forward-only run (log-probs, values:
 *                onnxruntime prunes the backward) keeps nothing, so only the working set counts.
 *   logits       rows·T·V floats, several copies: logits, LogSoftmax, the one-hot, Exp, the two products,
 *                and in the backward their gradients — 8 copies for a gradient run, 6 forward-only.
 *
 * The JS side (the Learner and AdamW, core/rl): live params, a frozen reference copy (full training), the
 * optimizer's m and v, and the gradients copied out of the runtime — 5·P_trainable (4 under LoRA) — plus the
 * decoder weights the learner was built from (kept to rebuild the rollout model).
 *
 * Not for: onnxruntime's own overhead (arena rounding, the model bytes while a session is created), the
 * rollout model (its weights and KV cache; callers leave headroom for them).
 */
import type { DecoderConfig } from '../onnx/decoderConfig';
import { expectedWeightShapes, parameterCount } from '../onnx/weights';
import type { EnvSettings } from '../env/trajectory';
import { loraShapes } from '../autodiff/lora';
import type { TrainableSet } from '../autodiff/trainGraph';

const F32 = 4;
/** Logits-sized copies alive at the peak of a gradient run / a forward-only run (see the header). */
export const LOGITS_COPIES = { grads: 8, forward: 6 } as const;

export interface MemoryEstimateOptions {
  config: DecoderConfig;
  trainable: TrainableSet;
  valueHead?: boolean;
  /** Batch shape [rows, seqLen]. */
  rows: number;
  seqLen: number;
  /** 'grads' (default): loss and gradients; 'forward': log-probs or values only (backward pruned). */
  run?: 'grads' | 'forward';
}

/** Bytes in the runtime's memory for one graph run. */
export interface RuntimeMemoryParts {
  parameters: number;
  gradients: number;
  frozenWeights: number;
  activations: number;
  logits: number;
}

/** Bytes held in JS by the learner and the optimizer. */
export interface JsMemoryParts {
  liveParams: number;
  referenceParams: number;
  adamMoments: number;
  gradients: number;
  baseWeights: number;
}

export interface TrainMemoryEstimate {
  runtime: RuntimeMemoryParts & { total: number };
  js: JsMemoryParts & { total: number };
  /** Runtime bytes that do not grow with the batch (parameters, gradients, frozen weights). */
  fixedBytes: number;
  /** Runtime bytes per row at this seqLen (activations and logits). */
  perRowBytes: number;
}

const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Parameter counts: trainable (graph inputs) and frozen (initializers). */
function paramCounts(config: DecoderConfig, trainable: TrainableSet, valueHead: boolean): { trainable: number; trainableLinear: number; frozen: number; decoder: number } {
  const shapes = expectedWeightShapes(config);
  const decoder = parameterCount(config);
  const head = valueHead ? config.hiddenSize + 1 : 0;
  if (trainable.kind === 'lora') {
    let adapters = 0;
    for (const s of loraShapes(config, trainable.lora).values()) adapters += count(s);
    return { trainable: adapters + head, trainableLinear: adapters, frozen: decoder, decoder };
  }
  const frozenNames = new Set(trainable.frozen ?? []);
  let frozen = 0;
  let linear = 0;
  for (const [name, s] of shapes) {
    if (frozenNames.has(name)) frozen += count(s);
    else if (/_proj\.weight$/.test(name) || name === 'lm_head.weight') linear += count(s);
  }
  return { trainable: decoder - frozen + head, trainableLinear: linear, frozen, decoder };
}

/** Floats kept per token per layer for the backward (see the header). */
function keptPerTokenLayer(c: DecoderConfig, seqLen: number): number {
  return 8 * c.hiddenSize + 2 * c.numHeads * c.headDim + 2 * c.numKvHeads * c.headDim + 5 * c.intermediateSize + c.numHeads * seqLen;
}

export function estimateTrainMemory(o: MemoryEstimateOptions): TrainMemoryEstimate {
  const { config: c, trainable, rows, seqLen: T } = o;
  const valueHead = o.valueHead === true;
  const forward = o.run === 'forward';
  const p = paramCounts(c, trainable, valueHead);
  const rotary = c.maxPositionEmbeddings * c.headDim; // cos and sin caches, D/2 each
  const parameters = (p.trainable + (trainable.kind === 'full' ? p.trainableLinear : 0)) * F32;
  const gradients = forward ? 0 : (p.trainable + c.vocabSize * c.hiddenSize) * F32;
  const frozenWeights = (p.frozen + rotary) * F32;

  const kept = keptPerTokenLayer(c, T);
  const workingSet = 4 * c.numHeads * T + kept; // per token, one layer
  const activationFloatsPerRow = T * (forward ? workingSet : c.numLayers * kept + workingSet);
  const logitsFloatsPerRow = T * c.vocabSize * (forward ? LOGITS_COPIES.forward : LOGITS_COPIES.grads);
  const activations = rows * activationFloatsPerRow * F32;
  const logits = rows * logitsFloatsPerRow * F32;
  const fixedBytes = parameters + gradients + frozenWeights;
  const perRowBytes = (activationFloatsPerRow + logitsFloatsPerRow) * F32;

  const js: JsMemoryParts = {
    liveParams: p.trainable * F32,
    referenceParams: trainable.kind === 'full' ? p.trainable * F32 : 0,
    adamMoments: 2 * p.trainable * F32,
    gradients: p.trainable * F32,
    baseWeights: p.decoder * F32,
  };
  return {
    runtime: { parameters, gradients, frozenWeights, activations, logits, total: fixedBytes + activations + logits },
    js: { ...js, total: js.liveParams + js.referenceParams + js.adamMoments + js.gradients + js.baseWeights },
    fixedBytes,
    perRowBytes,
  };
}

/**
 * The most rows of length `seqLen` one run may take within `maxRunBytes` (Infinity: no limit); 0 when not
 * even one row fits.
 */
export function maxRowsPerRun(o: Omit<MemoryEstimateOptions, 'rows'>, maxRunBytes: number): number {
  if (maxRunBytes === Infinity) return Infinity;
  const e = estimateTrainMemory({ ...o, rows: 1 });
  return Math.max(0, Math.floor((maxRunBytes - e.fixedBytes) / e.perRowBytes));
}

/**
 * The longest sequence an episode can train on under these env settings: the prompt and every turn's
 * generation and observation, capped by the rolling context window.
 */
export function worstCaseSeqLen(s: Pick<EnvSettings, 'maxContextTokens' | 'maxPromptTokens' | 'maxTurns' | 'maxNewTokens' | 'maxObservationTokens'>): number {
  return Math.min(s.maxContextTokens, s.maxPromptTokens + s.maxTurns * (s.maxNewTokens + s.maxObservationTokens));
}

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

/** "parameters 1.0 MiB + gradients … = total …" for messages. */
export function describeRuntimeParts(r: TrainMemoryEstimate['runtime']): string {
  const parts: [string, number][] = [
    ['parameters', r.parameters],
    ['gradients', r.gradients],
    ['frozen weights', r.frozenWeights],
    ['activations', r.activations],
    ['logits', r.logits],
  ];
  return `${parts
    .filter(([, b]) => b > 0)
    .map(([n, b]) => `${n} ${formatBytes(b)}`)
    .join(' + ')} = ${formatBytes(r.total)}`;
}

export interface FitCheckOptions {
  config: DecoderConfig;
  trainable: TrainableSet;
  valueHead?: boolean;
  settings: Pick<EnvSettings, 'maxContextTokens' | 'maxPromptTokens' | 'maxTurns' | 'maxNewTokens' | 'maxObservationTokens'>;
  /** What the runtime may use for one training-graph run (bytes). */
  budgetBytes: number;
  /** Where the budget comes from, for the message ("the browser's 4 GiB wasm heap less headroom"). */
  budgetLabel: string;
}

/**
 * Before a run: does one row at the worst-case sequence length fit the runtime's budget with the model's
 * parameters and gradients? null when it does, else a message with the estimate's parts and what to change.
 */
export function checkTrainingFits(o: FitCheckOptions): string | null {
  const seqLen = worstCaseSeqLen(o.settings);
  const e = estimateTrainMemory({ config: o.config, trainable: o.trainable, valueHead: o.valueHead === true, rows: 1, seqLen });
  if (e.runtime.total <= o.budgetBytes) return null;
  const s = o.settings;
  const lora = o.trainable.kind === 'full' ? 'train LoRA adapters instead of every weight, ' : '';
  return (
    `This configuration does not fit in memory: one training-graph run over a single ${seqLen}-token sequence ` +
    `(min(maxContextTokens ${s.maxContextTokens}, maxPromptTokens ${s.maxPromptTokens} + maxTurns ${s.maxTurns} × (maxNewTokens ${s.maxNewTokens} + maxObservationTokens ${s.maxObservationTokens}))) ` +
    `needs about ${describeRuntimeParts(e.runtime)}, above ${formatBytes(o.budgetBytes)} (${o.budgetLabel}). ` +
    `To fit: ${lora}choose a smaller model, or shorten the limits (maxNewTokens, maxTurns, maxObservationTokens, maxPromptTokens, maxContextTokens).`
  );
}
