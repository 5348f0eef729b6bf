/**
 * train-default's copy pre-training: sequences of random token strings, each written twice
 * ("x₁…xₙ \n x₁…xₙ"), loss on the second copies only. Only attention that finds the earlier occurrence
 * of the current token and copies its successor (an induction head) lowers that loss, and the router
 * needs exactly that to copy the question into <search> and a stated answer into <answer>. Without this
 * stage the warm-up learns the protocol and the routing decisions in a few hundred updates but not copying.
 *
 * The updates are core's supervisedLoop; this module owns the data (copyBatch) and the progress lines.
 * Must not: write files (trainDefault.ts saves the weights).
 */
import { createRng } from '../../core/math/rng';
import type { OnnxLearner } from '../../core/learner/onnxLearner';
import { ownedWeights } from '../../core/learner/onnxLearner';
import { buildTrainInputs, tokenWeights, type RolloutSequence } from '../../core/learner/trainBatch';
import type { DecoderConfig } from '../../core/onnx/decoderConfig';
import type { WeightTensor } from '../../core/onnx/weights';
import type { LrSchedule } from '../../core/rl/schedule';
import { supervisedLoop, type SupervisedMinibatch } from '../../core/rl/supervisedLoop';
import type { trainByteLevelBpe } from '../../core/tokenizer/bpeTrainer';
import { openFullLearner, TRAIN_DEFAULT_ADAMW } from './defaultLearner';

/** Tokens per copy-task sequence. */
const COPY_LENGTH = 128;

/** Every ordinary token id (bytes and merges; no added token): the copy task's alphabet, so any text can be copied. */
export function copyAlphabet(bpe: ReturnType<typeof trainByteLevelBpe>): number[] {
  const added = new Set(bpe.addedTokens.map((t) => t.id));
  return Array.from({ length: bpe.size }, (_, id) => id).filter((id) => !added.has(id));
}

export interface CopyPhase {
  updates: number;
  length: number;
  batch: number;
  lr: number;
}

/** Phase 1 forms the induction head on 128-token strings; phase 2 makes it work across router-length contexts. */
export const COPY_PHASES: readonly [CopyPhase, CopyPhase] = [
  { updates: 3000, length: 128, batch: 28, lr: 3e-3 },
  { updates: 300, length: 640, batch: 6, lr: 1e-3 },
];

/** One phase of copy pre-training from `start`; returns the trained weights. */
export async function copyPretrain(config: DecoderConfig, start: Map<string, WeightTensor>, alphabet: readonly number[], seed: number, phase: CopyPhase, log: (s: string) => void): Promise<Map<string, WeightTensor>> {
  const updates = phase.updates;
  const learner = await openFullLearner(config, start);
  try {
    const schedule: LrSchedule = { kind: 'cosine', lr: phase.lr, warmupSteps: Math.min(100, updates / 10), totalSteps: updates, minLr: phase.lr / 3 };
    const rng = createRng(seed).fork('copy-pretrain');
    let lossAvg = NaN;
    const t0 = performance.now();
    // no param restore: a rejected update (non-finite loss or gradient) is simply not taken
    const loop = supervisedLoop({ learner, batches: copyBatches(alphabet, phase, rng), schedule, maxGradNorm: 1, adamW: TRAIN_DEFAULT_ADAMW, onNonFiniteParams: 'leave' });
    for await (const e of loop) {
      if (e.result.status !== 'rejected') lossAvg = Number.isNaN(lossAvg) ? e.loss : 0.95 * lossAvg + 0.05 * e.loss;
      if (e.update % 100 === 0) log(`copy pre-training (length ${phase.length}) ${e.update}/${updates}: loss ${lossAvg.toFixed(3)} (chance ${Math.log(alphabet.length).toFixed(2)}), ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
    log(`copy pre-training: copy loss in 512-token contexts ${(await copyProbe(learner, alphabet, seed, 512)).toFixed(3)} (chance ${Math.log(alphabet.length).toFixed(2)})`);
    return ownedWeights(learner);
  } finally {
    await learner.dispose();
  }
}

function* copyBatches(alphabet: readonly number[], phase: CopyPhase, rng: { nextUint32(): number }): Generator<SupervisedMinibatch> {
  for (let update = 0; update < phase.updates; update++) yield { epoch: 0, sequences: copyBatch(alphabet, phase.batch, rng, phase.length) };
}

/**
 * A batch of the copy task: noise over `alphabet` into which spans are written twice, the second copy
 * after a random gap (and the next span after more noise); the loss is on each second copy after its
 * first token. The offsets are random and nothing marks a copy, so only an induction head (find the
 * earlier occurrence of the current token, predict what followed it) lowers the loss — a separator or
 * a fixed layout lets a model learn a positional shortcut that fails in real contexts.
 */
export function copyBatch(alphabet: readonly number[], size: number, rng: { nextUint32(): number }, length = COPY_LENGTH): RolloutSequence[] {
  const pick = (): number => alphabet[rng.nextUint32() % alphabet.length] as number;
  const batch: RolloutSequence[] = [];
  for (let b = 0; b < size; b++) {
    const tokenIds: number[] = [];
    const policyMask: number[] = [];
    const noise = (k: number): void => {
      for (let i = 0; i < k; i++) {
        tokenIds.push(pick());
        policyMask.push(0);
      }
    };
    while (tokenIds.length < length) {
      noise(rng.nextUint32() % 8);
      const span = Array.from({ length: 3 + (rng.nextUint32() % 14) }, pick);
      tokenIds.push(...span);
      policyMask.push(...span.map(() => 0));
      noise(rng.nextUint32() % 24);
      tokenIds.push(...span);
      policyMask.push(0, ...span.slice(1).map(() => 1));
    }
    batch.push({ tokenIds: tokenIds.slice(0, length), policyMask: policyMask.slice(0, length) });
  }
  return batch;
}

/** Mean copy loss with `prefix` noise tokens before the task (a check that copying works anywhere in a long context). */
async function copyProbe(learner: Pick<OnnxLearner, 'crossEntropyLossAndGrads'>, alphabet: readonly number[], seed: number, length: number): Promise<number> {
  const inputs = buildTrainInputs(copyBatch(alphabet, 8, createRng(seed).fork('copy-probe'), length));
  const out = await learner.crossEntropyLossAndGrads(inputs, tokenWeights(inputs.lossMask, inputs.batchSize, inputs.seqLen, 'token-mean'));
  return out.loss;
}

