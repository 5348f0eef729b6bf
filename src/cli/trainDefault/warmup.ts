/**
 * train-default's supervised warm-up: token cross-entropy on the teacher's trajectories (the policy's
 * turns; observations masked) in length-bucketed minibatches, with a copy-task batch mixed into every
 * COPY_EVERY-th update so the induction heads of copy pre-training survive; AdamW at warm-up + cosine.
 *
 * The updates are core's supervisedLoop; this module owns the batches and the progress lines.
 * Must not: write files (trainDefault.ts saves the weights).
 */
import type { DefaultPolicyVariant } from '../../core/defaultPolicy/defaultModel';
import { ownedWeights } from '../../core/learner/onnxLearner';
import type { RolloutSequence } from '../../core/learner/trainBatch';
import { createRng, type Rng } from '../../core/math/rng';
import { shuffled } from '../../core/math/shuffle';
import type { DecoderConfig } from '../../core/onnx/decoderConfig';
import type { WeightTensor } from '../../core/onnx/weights';
import type { LrSchedule } from '../../core/rl/schedule';
import { supervisedLoop, type SupervisedMinibatch } from '../../core/rl/supervisedLoop';
import { copyBatch } from './copyPretrain';
import { openFullLearner, TRAIN_DEFAULT_ADAMW } from './defaultLearner';

/** Sequences per warm-up minibatch (before the copy-task rows). */
const SFT_BATCH = 16;
/** During the warm-up, one update in this many carries a copy-task batch too. */
const COPY_EVERY = 3;

/** Updates of a warm-up over `sequences` sequences for `epochs` epochs. */
export function warmupUpdates(sequences: number, epochs: number): number {
  return Math.ceil(sequences / SFT_BATCH) * epochs;
}

/** The warm-up of variant `v` from `start`; returns the trained weights. */
export async function runWarmup(config: DecoderConfig, start: Map<string, WeightTensor>, sequences: readonly RolloutSequence[], alphabet: readonly number[], v: DefaultPolicyVariant, seed: number, log: (s: string) => void): Promise<Map<string, WeightTensor>> {
  const learner = await openFullLearner(config, start);
  try {
    const total = warmupUpdates(sequences.length, v.sft.epochs);
    const schedule: LrSchedule = { kind: 'cosine', lr: v.sft.lr, warmupSteps: Math.min(100, Math.floor(total / 10)), totalSteps: total, minLr: v.sft.lr / 20 };
    let lossAvg = NaN;
    let tokens = 0;
    const t0 = performance.now();
    const batches = warmupBatches(sequences, alphabet, v.sft.epochs, createRng(seed).fork(`sft.${v.name}`));
    for await (const e of supervisedLoop({ learner, batches, schedule, maxGradNorm: 1, adamW: TRAIN_DEFAULT_ADAMW, onNonFiniteParams: 'restore' })) {
      const r = e.result;
      if (r.status === 'rejected') log(`${v.name}: warm-up update ${e.update} skipped (non-finite ${r.nonFinite.in === 'loss' ? 'loss' : r.nonFinite.tensor})`);
      else lossAvg = Number.isNaN(lossAvg) ? e.loss : 0.95 * lossAvg + 0.05 * e.loss;
      tokens += e.batchSize * e.seqLen;
      if (e.update % 50 === 0 || e.update === total) {
        const s = (performance.now() - t0) / 1000;
        log(`${v.name}: warm-up ${e.update}/${total} (epoch ${e.epoch + 1}), loss ${lossAvg.toFixed(4)}, ${(tokens / s).toFixed(0)} tok/s, ETA ${((s / e.update) * (total - e.update)).toFixed(0)} s`);
      }
    }
    return ownedWeights(learner);
  } finally {
    await learner.dispose();
  }
}

/** Each epoch's length buckets (from rng.fork(`epoch.${e}`)); every COPY_EVERY-th update adds 4 copy-task rows drawn from `rng`. */
function* warmupBatches(sequences: readonly RolloutSequence[], alphabet: readonly number[], epochs: number, rng: Rng): Generator<SupervisedMinibatch> {
  let update = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const batch of lengthBuckets(sequences, SFT_BATCH, rng.fork(`epoch.${epoch}`))) {
      yield { epoch, sequences: update % COPY_EVERY === 0 ? [...batch, ...copyBatch(alphabet, 4, rng, 512)] : batch };
      update++;
    }
  }
}

/** Shuffled minibatches of similar lengths (less padding): shuffle, sort runs of 8 batches by length, cut, shuffle the batches. */
function lengthBuckets(seqs: readonly RolloutSequence[], size: number, rng: Rng): RolloutSequence[][] {
  const idx = shuffled(seqs.map((_, i) => i), rng, 'modulo');
  const batches: RolloutSequence[][] = [];
  const run = size * 8;
  for (let s = 0; s < idx.length; s += run) {
    const chunk = idx.slice(s, s + run).sort((a, b) => (seqs[a] as RolloutSequence).tokenIds.length - (seqs[b] as RolloutSequence).tokenIds.length);
    for (let k = 0; k < chunk.length; k += size) batches.push(chunk.slice(k, k + size).map((i) => seqs[i] as RolloutSequence));
  }
  return shuffled(batches, rng, 'modulo');
}
