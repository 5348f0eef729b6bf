/**
 * The Learner port (core/learner/learner.ts) over the ONNX training graph (trainGraph.ts), for real
 * decoders. Pure: it holds the trainable tensors as a ParamMap, turns TrainBatches into feeds
 * (trainFeeds.ts) and reads the outputs; running the graph is the injected `TrainSession` port,
 * implemented over onnxruntime-node (adapters/node/nodeTrainSession.ts: CLI, tests) and
 * onnxruntime-web (adapters/ort/webTrainSession.ts: the browser worker).
 *
 * Graphs (built once per learner, lazily):
 *   policy   loss 'policy', reduction 'weightedSum', loss_mask = tokenWeights (Σ = 1), so the graph's
 *            loss is exactly rlObjective's (losses.ts) with valueCoef 0:
 *              L = Σ w·pg + klCoef·Σ w·k3 − entropyCoef·Σ w·H
 *            `logProbs` runs the same graph fetching log_probs only (onnxruntime prunes the backward,
 *            measured ~2× cheaper than a full run on the tiny router).
 *   supervised  loss 'crossEntropy', 'weightedSum': L = −Σ w·logπ (the warm-up; built on first use).
 *
 * Micro-batching (`maxRunBytes`, memoryEstimate.ts): a batch whose estimated run does not fit runs as the
 * fewest row chunks that do, losses and gradients summed and per-token outputs concatenated. Exact, not an
 * approximation: with 'weightedSum' the token weights are normalised over the whole batch before the split,
 * so every output is a sum over rows. A single row that does not fit fails with what to shorten.
 *
 * Reference policy (`policy: 'reference'`): full training feeds a frozen copy of the initial weights;
 * LoRA feeds all-zero adapters (B = 0 adds nothing: the base model).
 * Value head (`valueHead: true`, PPO): the policy graph also carries the critic (trainGraph.ts: value_head.weight
 * [1, H] zero-initialised, value_head.bias [1] = 0, on the final-norm hidden state) and its clipped value loss,
 * so the loss is rlObjective's with valueCoef too:
 *   L = Σ w·pg + klCoef·Σ w·k3 − entropyCoef·Σ w·H + valueCoef·Σ w·vl
 * (valueCoef goes to 0 when the batch has no returns, as rlObjective). The head's tensors are params()
 * (trained, checkpointed) but not decoder weights: `currentWeights` leaves them out, and the supervised
 * graph, which has no head, reports a zero gradient for them. Without the option: GRPO only.
 *
 * Not for: the optimizer or the loop (core/rl), or inference export (`currentWeights` hands the merged
 * weights to whoever rebuilds the rollout model with buildDecoderModel).
 */
import type { DecoderConfig } from '../onnx/decoderConfig';
import type { DecoderWeights, UniformRng, WeightTensor } from '../onnx/weights';
import type { Learner, LearnerCallOptions, LearnerOutput } from './learner';
import { cloneParams, zerosLike, type ParamMap } from './paramMap';
import type { TrainBatch, TrainInputs } from './trainBatch';
import { LOSS_OUTPUTS, type TrainingLoss } from '../autodiff/lossGraph';
import { initLora, mergeLora } from '../autodiff/lora';
import { trainingFeeds, type PolicyHyperParams, type TensorFeed, type TrainingBatch } from './trainFeeds';
import { describeRuntimeParts, estimateTrainMemory, formatBytes, maxRowsPerRun } from './memoryEstimate';
import { buildTrainingModel, gradName, VALUE_HEAD_PARAMS, type TrainableParam, type TrainableSet } from '../autodiff/trainGraph';

/** One loaded training graph. Outputs come back as owned float32 arrays (the adapter copies and disposes). */
export interface TrainSession {
  /** Runs the graph; `fetches` limits the outputs (and lets the runtime skip what they do not need). */
  run(feeds: readonly TensorFeed[], fetches?: readonly string[]): Promise<Record<string, Float32Array>>;
  release(): Promise<void>;
}

/** Opens a session over ONNX bytes (one per graph; the learner owns and releases them). */
export type OpenTrainSession = (model: Uint8Array) => Promise<TrainSession>;

export interface OnnxLearnerOptions {
  config: DecoderConfig;
  /** Starting weights, HF names; for LoRA the frozen base. Copied: the caller's arrays are never written. */
  weights: DecoderWeights;
  trainable: TrainableSet;
  /** LoRA only: starting adapters (a checkpoint's); default initLora(loraRng). */
  adapters?: ReadonlyMap<string, WeightTensor>;
  /** LoRA only: the init stream for fresh adapters (required without `adapters`). */
  loraRng?: UniformRng;
  open: OpenTrainSession;
  /** Add a value head (PPO's critic); its tensors start at 0 (a checkpoint restores them through params()). */
  valueHead?: boolean;
  /**
   * The most runtime memory one graph run may take (memoryEstimate.ts), default DEFAULT_MAX_RUN_BYTES:
   * a batch whose estimate is larger runs as the fewest row chunks that fit (exact: see chunkRows).
   * Infinity: never split.
   */
  maxRunBytes?: number;
}

/** 1.5 GiB: one run's share of the browser's 4 GiB wasm heap, next to the rollout model and the runtime itself. */
export const DEFAULT_MAX_RUN_BYTES = 1.5 * 2 ** 30;

export interface SupervisedOutput {
  /** −Σ w·logπ. */
  loss: number;
  logProbs: Float32Array; // [B, T]
  entropy: Float32Array; // [B, T]
  grads: ParamMap;
}

export interface OnnxLearner extends Learner {
  readonly config: DecoderConfig;
  readonly trainable: TrainableSet;
  /** Graph-input order names and shapes of the trainable tensors (the value head's last, when there is one). */
  readonly paramInfo: readonly TrainableParam[];
  /**
   * Every decoder weight under the current params (LoRA folded in), for rebuilding the rollout model.
   * Full training ALIASES the live arrays (no copy): use it before the next update (buildDecoderModel copies).
   */
  currentWeights(): Map<string, WeightTensor>;
  /** Supervised warm-up: token cross-entropy with aggregation weights `tokenWeights` [B, T] (Σ = 1) and its gradient. */
  crossEntropyLossAndGrads(inputs: TrainInputs, tokenWeights: Float32Array, opts?: LearnerCallOptions): Promise<SupervisedOutput>;
  /** Releases the sessions. */
  dispose(): Promise<void>;
}

export class OnnxLearnerError extends Error {
  override name = 'OnnxLearnerError';
}

/** Outputs with one value per token ([B, T]): concatenated across row chunks; every other output is summed. */
const PER_TOKEN_OUTPUTS: ReadonlySet<string> = new Set([LOSS_OUTPUTS.logProbs, LOSS_OUTPUTS.entropy, LOSS_OUTPUTS.values]);

/** A zero tensor of a parameter's shape (the value head's start, a gradient the graph does not compute). */
const zerosOf = (p: TrainableParam): Float32Array => new Float32Array(p.shape.reduce((a, b) => a * b, 1));

/** Row-major [B, T] → [B][T] (what trainingFeeds takes). */
function rowsOf(a: ArrayLike<number>, B: number, T: number): number[][] {
  return Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => a[b * T + t] as number));
}

/** Token inputs plus a float [B, T] loss mask (token weights) as a trainFeeds batch. */
function tokenBatch(x: TrainInputs, weights: Float32Array): TrainingBatch {
  const { batchSize: B, seqLen: T } = x;
  return { inputIds: rowsOf(x.inputIds, B, T), attentionMask: rowsOf(x.attentionMask, B, T), lossMask: rowsOf(weights, B, T) };
}

export async function createOnnxLearner(o: OnnxLearnerOptions): Promise<OnnxLearner> {
  const { config, trainable } = o;
  const valueHead = o.valueHead === true;
  const build = (loss: TrainingLoss) => buildTrainingModel(config, o.weights, { loss, trainable, reduction: 'weightedSum', valueHead: valueHead && loss === 'policy' });
  const policyModel = build('policy');
  const paramInfo = policyModel.params;
  const headNames = new Set<string>(Object.values(VALUE_HEAD_PARAMS));
  const decoderInfo = paramInfo.filter((p) => !headNames.has(p.name));
  const headInfo = paramInfo.filter((p) => headNames.has(p.name));

  // 1. the live trainable tensors, in graph-input order, and the frozen reference
  const live: ParamMap = new Map();
  let reference: ParamMap;
  if (trainable.kind === 'full') {
    for (const p of decoderInfo) live.set(p.name, Float32Array.from((o.weights.get(p.name) as WeightTensor).data));
    for (const p of headInfo) live.set(p.name, zerosOf(p));
    reference = cloneParams(live);
  } else {
    const start = o.adapters ?? (o.loraRng === undefined ? undefined : initLora(config, trainable.lora, o.loraRng));
    if (start === undefined) throw new OnnxLearnerError('LoRA training needs starting adapters or a seeded loraRng to initialise them.');
    for (const p of decoderInfo) {
      const t = start.get(p.name);
      const count = p.shape.reduce((a, b) => a * b, 1);
      if (t === undefined || t.data.length !== count) throw new OnnxLearnerError(`Adapter ${p.name} must hold ${count} values ([${p.shape.join(', ')}]); the adapters come from another LoRA config.`);
      live.set(p.name, Float32Array.from(t.data));
    }
    for (const p of headInfo) live.set(p.name, zerosOf(p));
    reference = zerosLike(live); // B = 0: the base model (the head's values are not read)
  }
  const asFeeds = (p: ParamMap): Map<string, { data: Float32Array }> => new Map([...p].map(([k, v]) => [k, { data: v }]));

  // 2. sessions
  const policySession = await o.open(policyModel.bytes);
  let supervised: { model: ReturnType<typeof build>; session: TrainSession } | null = null;

  /** ∂L/∂θ for every tensor of params(); a graph without the head (supervised) gives it zeros. */
  const gradsOf = (out: Record<string, Float32Array>, graphParams: readonly TrainableParam[]): ParamMap => {
    const grads: ParamMap = new Map();
    const inGraph = new Set(graphParams.map((p) => p.name));
    for (const p of paramInfo) {
      if (!inGraph.has(p.name)) {
        grads.set(p.name, zerosOf(p));
        continue;
      }
      const g = out[gradName(p.name)];
      if (g === undefined) throw new OnnxLearnerError(`The training graph returned no ${gradName(p.name)}.`);
      grads.set(p.name, g);
    }
    return grads;
  };
  const output = (out: Record<string, Float32Array>, name: string): Float32Array => {
    const v = out[name];
    if (v === undefined) throw new OnnxLearnerError(`The training graph returned no ${name}.`);
    return v;
  };
  // No reference log-probs means no KL term (as rlObjective): its coefficient goes to 0.
  // No returns means no value term (as rlObjective): its coefficient goes to 0 too.
  const hyperOf = (b: TrainBatch): PolicyHyperParams => ({
    clipEpsilon: b.loss.clipRatio,
    klCoef: b.refLogProbs === null ? 0 : b.loss.klCoef,
    entropyCoef: b.loss.entropyCoef,
    ...(valueHead ? { valueCoef: b.returns === null || b.oldValues === null ? 0 : b.loss.valueCoef, valueClip: b.loss.valueClip } : {}),
  });
  /** Feeds for a forward-only run (no loss terms): zero per-token inputs and coefficients. */
  const forwardOnly = (inputs: TrainInputs): { batch: TrainingBatch; hyper: PolicyHyperParams } => {
    const { batchSize: B, seqLen: T } = inputs;
    const zeros = rowsOf(new Float32Array(B * T), B, T);
    const batch: TrainingBatch = { ...tokenBatch(inputs, new Float32Array(B * T)), advantages: zeros, oldLogProbs: zeros, refLogProbs: zeros, ...(valueHead ? { returns: zeros, oldValues: zeros } : {}) };
    return { batch, hyper: { clipEpsilon: 0.2, klCoef: 0, entropyCoef: 0, ...(valueHead ? { valueCoef: 0, valueClip: 0.2 } : {}) } };
  };

  const checkLength = (x: TrainInputs): void => {
    if (x.seqLen > config.maxPositionEmbeddings) throw new OnnxLearnerError(`A sequence of ${x.seqLen} tokens exceeds the model's ${config.maxPositionEmbeddings} positions; lower the env settings (maxPromptTokens, maxNewTokens × maxTurns, maxObservationTokens) or truncate the trajectories.`);
  };

  const maxRunBytes = o.maxRunBytes ?? DEFAULT_MAX_RUN_BYTES;
  if (!(maxRunBytes > 0)) throw new OnnxLearnerError(`maxRunBytes must be a positive number of bytes (or Infinity), got ${maxRunBytes}.`);
  /** Row ranges [start, end) of the fewest, evenly sized chunks whose estimate fits maxRunBytes. */
  const chunkRanges = (B: number, T: number, run: 'grads' | 'forward', withHead: boolean): [number, number][] => {
    const shape = { config, trainable, valueHead: withHead, seqLen: T, run };
    const fit = maxRowsPerRun(shape, maxRunBytes);
    if (fit < 1) {
      const e = estimateTrainMemory({ ...shape, rows: 1 });
      throw new OnnxLearnerError(
        `One ${T}-token sequence needs about ${formatBytes(e.runtime.total)} in one training-graph run (${describeRuntimeParts(e.runtime)}), ` +
          `above the ${formatBytes(maxRunBytes)} a run may use. Shorten the episodes (lower maxNewTokens, maxTurns or maxObservationTokens) or train a smaller model.`,
      );
    }
    const chunks = Math.ceil(B / Math.min(B, fit));
    const size = Math.ceil(B / chunks);
    const out: [number, number][] = [];
    for (let start = 0; start < B; start += size) out.push([start, Math.min(B, start + size)]);
    return out;
  };

  /**
   * Runs `session` on row chunks (chunkRanges) and merges: per-token outputs [rows, T] concatenated in row
   * order, every other output (the loss, its parts, the gradients) summed. Exact for 'weightedSum' graphs
   * whose token weights are normalised over the WHOLE batch: each output is then a sum over rows.
   */
  async function runChunked(session: TrainSession, model: Parameters<typeof trainingFeeds>[0], batch: TrainingBatch, params: ParamMap, hyper: PolicyHyperParams | undefined, fetches: readonly string[] | undefined, run: 'grads' | 'forward', withHead: boolean, signal: AbortSignal | undefined): Promise<Record<string, Float32Array>> {
    const B = batch.inputIds.length;
    const T = batch.inputIds[0]?.length ?? 0;
    const ranges = chunkRanges(B, T, run, withHead);
    const feedsOf = (b: TrainingBatch) => trainingFeeds(model, b, asFeeds(params), hyper);
    if (ranges.length === 1) {
      signal?.throwIfAborted();
      const out = await session.run(feedsOf(batch), fetches);
      signal?.throwIfAborted();
      return out;
    }
    const merged: Record<string, Float32Array> = {};
    for (const [start, end] of ranges) {
      signal?.throwIfAborted();
      const part: TrainingBatch = Object.fromEntries(Object.entries(batch).map(([k, v]) => [k, (v as readonly (readonly number[])[]).slice(start, end)])) as unknown as TrainingBatch;
      const out = await session.run(feedsOf(part), fetches);
      for (const [name, v] of Object.entries(out)) {
        const acc = merged[name];
        if (PER_TOKEN_OUTPUTS.has(name)) {
          const all = acc ?? new Float32Array(B * T);
          all.set(v, start * T);
          merged[name] = all;
        } else if (acc === undefined) merged[name] = v;
        else for (let i = 0; i < acc.length; i++) acc[i] = (acc[i] as number) + (v[i] as number);
      }
    }
    signal?.throwIfAborted();
    return merged;
  }
  const runPolicy = (batch: TrainingBatch, params: ParamMap, hyper: PolicyHyperParams, fetches: readonly string[] | undefined, signal: AbortSignal | undefined): Promise<Record<string, Float32Array>> =>
    runChunked(policySession, policyModel, batch, params, hyper, fetches, fetches === undefined ? 'grads' : 'forward', valueHead, signal);

  return {
    config,
    trainable,
    paramInfo,
    hasValueHead: valueHead,
    params: () => live,
    async computeLossAndGrads(b, opts = {}): Promise<LearnerOutput> {
      checkLength(b);
      const { batchSize: B, seqLen: T } = b;
      // klCoef = 0 sends no reference: feed the old log-probs (k3 stays finite; its weight is 0 anyway).
      const batch: TrainingBatch = {
        ...tokenBatch(b, b.tokenWeights),
        advantages: rowsOf(b.advantages, B, T),
        oldLogProbs: rowsOf(b.oldLogProbs, B, T),
        refLogProbs: rowsOf(b.refLogProbs ?? b.oldLogProbs, B, T),
        // no returns (GRPO batches): zeros with valueCoef 0
        ...(valueHead ? { returns: rowsOf(b.returns ?? new Float32Array(B * T), B, T), oldValues: rowsOf(b.oldValues ?? new Float32Array(B * T), B, T) } : {}),
      };
      const out = await runPolicy(batch, live, hyperOf(b), undefined, opts.signal);
      const values = valueHead ? { values: output(out, LOSS_OUTPUTS.values) } : {};
      return { loss: output(out, LOSS_OUTPUTS.loss)[0] as number, logProbs: output(out, LOSS_OUTPUTS.logProbs), entropy: output(out, LOSS_OUTPUTS.entropy), ...values, grads: gradsOf(out, paramInfo) };
    },
    async logProbs(inputs, opts = {}) {
      checkLength(inputs);
      const { batch, hyper } = forwardOnly(inputs);
      const params = opts.policy === 'reference' ? reference : live;
      const out = await runPolicy(batch, params, hyper, [LOSS_OUTPUTS.logProbs], opts.signal);
      return output(out, LOSS_OUTPUTS.logProbs);
    },
    ...(valueHead
      ? {
          async values(inputs: TrainInputs, opts: LearnerCallOptions = {}): Promise<Float32Array> {
            checkLength(inputs);
            const { batch, hyper } = forwardOnly(inputs);
            const out = await runPolicy(batch, live, hyper, [LOSS_OUTPUTS.values], opts.signal);
            return output(out, LOSS_OUTPUTS.values);
          },
        }
      : {}),
    async crossEntropyLossAndGrads(inputs, tokenWeights, opts = {}) {
      opts.signal?.throwIfAborted();
      checkLength(inputs);
      if (supervised === null) {
        const model = build('crossEntropy');
        supervised = { model, session: await o.open(model.bytes) };
      }
      const out = await runChunked(supervised.session, supervised.model, tokenBatch(inputs, tokenWeights), live, undefined, undefined, 'grads', false, opts.signal);
      return { loss: output(out, LOSS_OUTPUTS.loss)[0] as number, logProbs: output(out, LOSS_OUTPUTS.logProbs), entropy: output(out, LOSS_OUTPUTS.entropy), grads: gradsOf(out, supervised.model.params) };
    },
    currentWeights() {
      if (trainable.kind === 'lora') {
        const adapters = new Map(decoderInfo.map((p): [string, WeightTensor] => [p.name, { data: live.get(p.name) as Float32Array, shape: p.shape }]));
        return mergeLora(config, o.weights, trainable.lora, adapters);
      }
      const merged = new Map<string, WeightTensor>(o.weights);
      for (const p of decoderInfo) merged.set(p.name, { data: live.get(p.name) as Float32Array, shape: p.shape });
      return merged;
    },
    async dispose() {
      await policySession.release();
      await supervised?.session.release();
      supervised = null;
    },
  };
}

/** Every decoder weight under the learner's current params as owned copies (`currentWeights` aliases live arrays). */
export function ownedWeights(learner: Pick<OnnxLearner, 'currentWeights'>): Map<string, WeightTensor> {
  const out = new Map<string, WeightTensor>();
  for (const [name, t] of learner.currentWeights()) out.set(name, { data: Float32Array.from(t.data), shape: [...t.shape] });
  return out;
}
