/**
 * `cli train` in `mode: 'supervised'`: the warm-up before RL, so a policy learns the protocol (think →
 * route → answer). Reads a JSONL of Trajectory records, turns each into the token view the RL learner
 * sees (trajectorySequence: the policy's kept turn texts are the targets; prompt, framing and
 * observations masked; longer than the model's positions: the head, said on stderr), runs core's
 * supervisedLoop over epochs × shuffled minibatches, and writes the merged weights (LoRA folded in) as
 * `<checkpointDir>/supervised/model.safetensors` (HF names: a later run's model.init).
 *
 * stdout: one `supervised.step` JSON line per update (a non-finite loss or gradient: `skipped`), then
 * `supervised.finished` with the file. Must not: hold training logic of its own (the loop is core's).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Trajectory } from '../../core/env/trajectory';
import { createRng } from '../../core/math/rng';
import { writeSafetensors } from '../../core/model/safetensors';
import type { WeightTensor } from '../../core/onnx/weights';
import type { RolloutSequence } from '../../core/learner/trainBatch';
import { trajectorySequence } from '../../core/rl/episodeRollout';
import { shuffledMinibatches, supervisedLoop } from '../../core/rl/supervisedLoop';
import { writeJsonLine, type TrainIo } from './trainIo';
import type { TrainFileConfig } from './trainFileConfig';
import { createCliLearner, loadInitialWeights, loadTrainModel, type TrainModel } from './trainSetup';

export class TrajectoryFileError extends Error {
  override name = 'TrajectoryFileError';
}

export function readTrajectories(path: string): Trajectory[] {
  const out: Trajectory[] = [];
  readFileSync(path, 'utf8').split('\n').forEach((text, i) => {
    if (text.trim() === '') return;
    let t: unknown;
    try {
      t = JSON.parse(text);
    } catch (err) {
      throw new TrajectoryFileError(`${path}:${i + 1} is not JSON (${err instanceof Error ? err.message : String(err)}).`);
    }
    if (typeof t !== 'object' || t === null || !Array.isArray((t as Trajectory).rounds) || typeof (t as Trajectory).prompt !== 'string') throw new TrajectoryFileError(`${path}:${i + 1} is not a Trajectory record (needs prompt, promptTokens and rounds).`);
    out.push(t as Trajectory);
  });
  if (out.length === 0) throw new TrajectoryFileError(`${path} holds no trajectories.`);
  return out;
}

export async function runSupervisedWarmup(cfg: TrainFileConfig, o: { checkpointDir: string; io: TrainIo }): Promise<number> {
  const { io } = o;
  const model = await loadTrainModel(cfg.model.dir);
  const learner = await createCliLearner(cfg, model, loadInitialWeights(cfg.model.dir, model.config, cfg.model.init));
  try {
    const sequences = headSequences(readTrajectories(cfg.supervised.trajectories as string), model, io);
    const loop = supervisedLoop({
      learner,
      batches: shuffledMinibatches(sequences, { epochs: cfg.supervised.epochs, size: cfg.supervised.minibatchSize, rng: createRng(cfg.run.seed).fork('supervised.minibatch') }),
      schedule: cfg.supervised.schedule,
      maxGradNorm: cfg.run.maxGradNorm,
      adamW: cfg.run.optimizer,
      onNonFiniteParams: 'restore',
    });
    let updates = 0;
    for await (const e of loop) {
      updates = e.update;
      const r = e.result;
      // a diverged update was restored and is reported as trained (skipped: null), as it always was
      const skipped = r.status === 'rejected' ? { reason: `non-finite ${r.nonFinite.in === 'loss' ? 'loss' : r.nonFinite.tensor}` } : null;
      writeJsonLine(io, { type: 'supervised.step', epoch: e.epoch, update: e.update, loss: e.loss, tokens: e.policyTokens, lr: e.lr, gradNorm: r.status === 'rejected' ? NaN : r.gradNorm, skipped });
    }
    const file = writeMergedWeights(join(o.checkpointDir, 'supervised'), learner.currentWeights(), cfg.run.runId);
    writeJsonLine(io, { type: 'supervised.finished', updates, file });
    return 0;
  } finally {
    await learner.dispose();
  }
}

/** The trajectories as token sequences; longer than the model's positions: keep the head (prompt and first turns), the tail is not trained. */
function headSequences(trajectories: readonly Trajectory[], model: TrainModel, io: TrainIo): RolloutSequence[] {
  const maxLen = model.config.maxPositionEmbeddings;
  const full = trajectories.map((t) => trajectorySequence(t, model.tokenizer, model.framing));
  const cut = full.filter((s) => s.tokenIds.length > maxLen).length;
  if (cut > 0) io.stderr.write(`supervised: ${cut} of ${full.length} trajectories exceed ${maxLen} positions; training on their first ${maxLen} tokens\n`);
  return full.map((s) => ({ tokenIds: s.tokenIds.slice(0, maxLen), policyMask: s.policyMask.slice(0, maxLen) }));
}

/** `<dir>/model.safetensors`: the merged weights (LoRA folded in) under HF names. */
function writeMergedWeights(dir: string, weights: ReadonlyMap<string, WeightTensor>, runId: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'model.safetensors');
  writeFileSync(file, writeSafetensors([...weights].map(([name, t]) => ({ name, shape: t.shape, data: t.data })), { format: 'router-r1-supervised', runId }));
  return file;
}
