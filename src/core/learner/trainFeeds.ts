/**
 * A training batch as the training graph's feeds (trainGraph.ts), as plain typed arrays that any
 * onnxruntime binding wraps in its own Tensor type. Rows are [B][S] and token-aligned (lossGraph.ts):
 * loss_mask must be 0 on padding and on each row's first real token (it has no predecessor).
 *
 * Not for: building batches from rollouts (core/learner/trainBatch.ts) or running sessions (adapters).
 */
import { LOSS_INPUTS } from '../autodiff/lossGraph';
import type { TrainableParam } from '../autodiff/trainGraph';

export interface TrainingBatch {
  /** [B][S] token ids. */
  inputIds: readonly (readonly number[])[];
  /** [B][S] 1 = real token, 0 = padding. */
  attentionMask: readonly (readonly number[])[];
  /** [B][S]; default: 0, 1, … over each row's real tokens (HF's cumsum(mask) − 1), 0 on padding. */
  positionIds?: readonly (readonly number[])[];
  /** [B][S] 1 = trained token (or a weight with 'weightedSum'). */
  lossMask: readonly (readonly number[])[];
  /** [B][S] policy loss only. */
  advantages?: readonly (readonly number[])[];
  oldLogProbs?: readonly (readonly number[])[];
  refLogProbs?: readonly (readonly number[])[];
  /** [B][S] value head only: value targets and the values before the update (token-aligned). */
  returns?: readonly (readonly number[])[];
  oldValues?: readonly (readonly number[])[];
}

export interface PolicyHyperParams {
  clipEpsilon: number;
  klCoef: number;
  entropyCoef: number;
  /** Value head only. */
  valueCoef?: number;
  valueClip?: number;
}

export interface TensorFeed {
  name: string;
  dtype: 'int64' | 'float32';
  dims: number[];
  data: BigInt64Array | Float32Array;
}

export class TrainingFeedError extends Error {
  override name = 'TrainingFeedError';
}

/** HF's position ids for a padded row: cumsum(mask) − 1, clamped at 0. */
export function defaultPositionIds(mask: readonly (readonly number[])[]): number[][] {
  return mask.map((row) => {
    let seen = 0;
    return row.map((m) => (m !== 0 ? seen++ : Math.max(seen - 1, 0)));
  });
}

function rows(name: string, x: readonly (readonly number[])[], b: number, s: number): number[] {
  if (x.length !== b || x.some((r) => r.length !== s)) throw new TrainingFeedError(`${name} must be [${b}][${s}] like input_ids.`);
  return x.flat();
}

/** Feeds for every graph input: tokens, loss inputs, hyper-parameters (policy) and parameters (by name). */
export function trainingFeeds(
  graph: { inputs: readonly { name: string }[]; params: readonly TrainableParam[] },
  batch: TrainingBatch,
  params: ReadonlyMap<string, { data: Float32Array }>,
  hyper?: PolicyHyperParams,
): TensorFeed[] {
  const b = batch.inputIds.length;
  const s = batch.inputIds[0]?.length ?? 0;
  const dims = [b, s];
  const int64 = (name: string, x: readonly (readonly number[])[]): TensorFeed => ({ name, dtype: 'int64', dims, data: BigInt64Array.from(rows(name, x, b, s), (v) => BigInt(v)) });
  const float = (name: string, x: readonly (readonly number[])[] | undefined): TensorFeed => {
    if (x === undefined) throw new TrainingFeedError(`The policy loss needs ${name}; pass it in the batch.`);
    return { name, dtype: 'float32', dims, data: Float32Array.from(rows(name, x, b, s)) };
  };
  const scalar = (name: string, v: number | undefined): TensorFeed => {
    if (v === undefined) throw new TrainingFeedError(`The policy loss needs the hyper-parameter ${name}.`);
    return { name, dtype: 'float32', dims: [], data: Float32Array.of(v) };
  };
  const byName: Record<string, () => TensorFeed> = {
    input_ids: () => int64('input_ids', batch.inputIds),
    attention_mask: () => int64('attention_mask', batch.attentionMask),
    position_ids: () => int64('position_ids', batch.positionIds ?? defaultPositionIds(batch.attentionMask)),
    [LOSS_INPUTS.lossMask]: () => float(LOSS_INPUTS.lossMask, batch.lossMask),
    [LOSS_INPUTS.advantages]: () => float(LOSS_INPUTS.advantages, batch.advantages),
    [LOSS_INPUTS.oldLogProbs]: () => float(LOSS_INPUTS.oldLogProbs, batch.oldLogProbs),
    [LOSS_INPUTS.refLogProbs]: () => float(LOSS_INPUTS.refLogProbs, batch.refLogProbs),
    [LOSS_INPUTS.clipEpsilon]: () => scalar(LOSS_INPUTS.clipEpsilon, hyper?.clipEpsilon),
    [LOSS_INPUTS.klCoef]: () => scalar(LOSS_INPUTS.klCoef, hyper?.klCoef),
    [LOSS_INPUTS.entropyCoef]: () => scalar(LOSS_INPUTS.entropyCoef, hyper?.entropyCoef),
    [LOSS_INPUTS.returns]: () => float(LOSS_INPUTS.returns, batch.returns),
    [LOSS_INPUTS.oldValues]: () => float(LOSS_INPUTS.oldValues, batch.oldValues),
    [LOSS_INPUTS.valueCoef]: () => scalar(LOSS_INPUTS.valueCoef, hyper?.valueCoef),
    [LOSS_INPUTS.valueClip]: () => scalar(LOSS_INPUTS.valueClip, hyper?.valueClip),
  };
  for (const p of graph.params) {
    byName[p.name] = () => {
      const t = params.get(p.name);
      const count = p.shape.reduce((x, y) => x * y, 1);
      if (t === undefined || t.data.length !== count) throw new TrainingFeedError(`Parameter ${p.name} must hold ${count} values ([${p.shape.join(', ')}]), got ${t?.data.length ?? 'none'}.`);
      return { name: p.name, dtype: 'float32', dims: [...p.shape], data: t.data };
    };
  }
  return graph.inputs.map((v) => {
    const feed = byName[v.name];
    if (feed === undefined) throw new TrainingFeedError(`No feed for graph input ${v.name}.`);
    return feed();
  });
}
