/**
 * The float64 oracle of a training graph: referenceForward (core/onnx) on each row's real tokens, then
 * the float64 losses of lossReference.ts over the prediction positions. Tests compare the graph's loss
 * and log-probs with it, and take central differences of it to check the graph's gradients.
 *
 * Weights may hold float64 arrays (`ReferenceWeights`): referenceForward only reads them by index, so a
 * float64 copy keeps perturbations of 1e-3 exact instead of rounding them to float32.
 * With `valueHead`, the weights also hold value_head.weight [1, H] and value_head.bias [1] (trainGraph.ts):
 * v = hidden · wᵀ + b on the final-norm hidden state, and the loss adds value_coef · mean_m(vl) with
 * vl = core/rl/losses.ts valueTerm (the clipped value loss). `value.loss` includes that term; `value.dLogits`
 * stays the policy terms' (the value term reaches the logits only through the shared backbone).
 * Rows are padded on either side; the real tokens of a row must be contiguous.
 * Not for: training (O(params) float64 loops per token).
 */
import type { DecoderConfig } from '../onnx/decoderConfig';
import { referenceForward } from '../onnx/referenceForward';
import type { DecoderWeights } from '../onnx/weights';
import { valueTerm } from '../rl/losses';
import type { LossReduction, TrainingLoss } from './lossGraph';
import { clippedPolicyLossFromLogits, crossEntropyFromLogits, type LossValue, type PolicyLossValue } from './lossReference';
import { addLoraDelta, loraTargets, type LoraConfig } from './lora';
import type { PolicyHyperParams, TrainingBatch } from '../learner/trainFeeds';

export interface ReferenceTensor {
  data: ArrayLike<number>;
  shape: readonly number[];
}
export type ReferenceWeights = ReadonlyMap<string, ReferenceTensor>;

export interface ReferenceTrainingResult {
  value: LossValue | PolicyLossValue;
  /** [B][S] token-aligned log-probs (0 where undefined: padding and each row's first real token). */
  logProbs: number[][];
  /** [B][S] token-aligned entropy of the distribution each token was drawn from. */
  entropy: number[][];
  /** [B][S] whether logProbs/entropy are defined there. */
  defined: boolean[][];
  /** Value head only: [B][S] token-aligned values (0 where undefined) and mean_m(vl). */
  values?: number[][];
  valueLoss?: number;
}

/** Float64 copies of the weights. */
export function float64Weights(weights: ReadonlyMap<string, ReferenceTensor>): Map<string, { data: Float64Array; shape: readonly number[] }> {
  return new Map([...weights].map(([name, t]) => [name, { data: Float64Array.from(t.data), shape: t.shape }]));
}

/** W + (α/r)·B·A in float64 for every adapted layer (lora.ts mergeLora, without rounding). */
export function mergeLoraFloat64(config: DecoderConfig, weights: ReferenceWeights, lora: LoraConfig, adapters: ReferenceWeights): Map<string, ReferenceTensor> {
  const merged = new Map<string, ReferenceTensor>(weights);
  const scale = lora.alpha / lora.rank;
  for (const t of loraTargets(config, lora)) {
    const [outF, inF] = t.shape;
    const base = weights.get(`${t.prefix}.weight`);
    const a = adapters.get(t.aName)?.data;
    const b = adapters.get(t.bName)?.data;
    if (base === undefined || a === undefined || b === undefined) throw new RangeError(`missing base weight or adapter for ${t.prefix}`);
    const w = Float64Array.from(base.data);
    addLoraDelta(w, a, b, [outF, inF, lora.rank], scale);
    merged.set(`${t.prefix}.weight`, { data: w, shape: base.shape });
  }
  return merged;
}

export interface ReferenceTrainingSpec {
  loss: TrainingLoss;
  reduction?: LossReduction;
  hyper?: PolicyHyperParams;
  valueHead?: boolean;
}

/** The loss, log-probs and entropy the training graph should produce for `batch`, in float64. */
export function referenceTrainingLoss(config: DecoderConfig, weights: ReferenceWeights, batch: TrainingBatch, spec: ReferenceTrainingSpec): ReferenceTrainingResult {
  const v = config.vocabSize;
  const logitRows: Float64Array[] = [];
  const targets: number[] = [];
  const mask: number[] = [];
  const adv: number[] = [];
  const old: number[] = [];
  const ref: number[] = [];
  const where: [number, number][] = [];
  const valueRows: number[] = [];
  const head = spec.valueHead === true ? { w: weights.get('value_head.weight')?.data, b: weights.get('value_head.bias')?.data } : null;
  if (head !== null && (head.w === undefined || head.b === undefined)) throw new RangeError('the value head needs value_head.weight and value_head.bias in the weights');
  const hs = config.hiddenSize;
  batch.inputIds.forEach((ids, b) => {
    const real = ids.map((_, s) => s).filter((s) => batch.attentionMask[b]?.[s] !== 0);
    if (real.some((s, i) => i > 0 && s !== (real[i - 1] ?? 0) + 1)) throw new RangeError(`row ${b}: real tokens must be contiguous`);
    if (real.length === 0) return;
    const positions = real.map((s) => batch.positionIds?.[b]?.[s] ?? s - (real[0] ?? 0));
    const { logits, hidden } = referenceForward(config, weights as unknown as DecoderWeights, real.map((s) => ids[s] ?? 0), { positions }); // [n, V]
    for (let j = 0; j + 1 < real.length; j++) {
      const s = real[j + 1] ?? 0; // the predicted token
      logitRows.push(logits.subarray(j * v, (j + 1) * v));
      targets.push(ids[s] ?? 0);
      mask.push(batch.lossMask[b]?.[s] ?? 0);
      adv.push(batch.advantages?.[b]?.[s] ?? 0);
      old.push(batch.oldLogProbs?.[b]?.[s] ?? 0);
      ref.push(batch.refLogProbs?.[b]?.[s] ?? 0);
      where.push([b, s]);
      if (head !== null) {
        let v = head.b?.[0] ?? 0;
        for (let k = 0; k < hs; k++) v += (hidden[j * hs + k] ?? 0) * (head.w?.[k] ?? 0);
        valueRows.push(v);
      }
    }
  });
  const logits = new Float64Array(logitRows.length * v);
  logitRows.forEach((row, i) => logits.set(row, i * v));
  const rows = { logits, vocabSize: v, targets, mask, reduction: spec.reduction ?? 'tokenMean' } as const;
  let value: LossValue | PolicyLossValue;
  if (spec.loss === 'crossEntropy') value = crossEntropyFromLogits(rows);
  else {
    if (spec.hyper === undefined) throw new RangeError('the policy loss needs hyper-parameters');
    value = clippedPolicyLossFromLogits({ ...rows, advantages: adv, oldLogProbs: old, refLogProbs: ref, ...spec.hyper });
  }
  let valueLoss: number | undefined;
  if (head !== null) {
    const { valueCoef, valueClip } = spec.hyper ?? {};
    if (spec.loss !== 'policy' || valueCoef === undefined || valueClip === undefined) throw new RangeError('the value head needs the policy loss, valueCoef and valueClip');
    const denom = rows.reduction === 'tokenMean' ? Math.max(mask.reduce((a, m) => a + m, 0), 1) : 1;
    valueLoss = 0;
    where.forEach(([b, s], i) => {
      const m = mask[i] ?? 0;
      if (m !== 0) valueLoss = (valueLoss ?? 0) + (m * valueTerm(valueRows[i] ?? 0, batch.oldValues?.[b]?.[s] ?? 0, batch.returns?.[b]?.[s] ?? 0, valueClip).value) / denom;
    });
    value = { ...value, loss: value.loss + valueCoef * valueLoss };
  }
  const shape = (): number[][] => batch.inputIds.map((r) => r.map(() => 0));
  const logProbs = shape();
  const entropy = shape();
  const defined = batch.inputIds.map((r) => r.map(() => false));
  where.forEach(([b, s], i) => {
    (logProbs[b] as number[])[s] = value.stats.logProbs[i] ?? 0;
    (entropy[b] as number[])[s] = value.stats.entropy[i] ?? 0;
    (defined[b] as boolean[])[s] = true;
  });
  if (head === null || valueLoss === undefined) return { value, logProbs, entropy, defined };
  const values = shape();
  where.forEach(([b, s], i) => ((values[b] as number[])[s] = valueRows[i] ?? 0));
  return { value, logProbs, entropy, defined, values, valueLoss };
}
