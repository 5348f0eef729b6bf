/**
 * Supervised warm-up (`mode: 'supervised'`): token cross-entropy on given trajectories, so a policy
 * learns the protocol (think → route → answer) before RL. Each Trajectory becomes the token view the
 * RL learner sees (trajectorySequence: the policy's kept turn texts are the targets; prompt, framing
 * and observations are masked), then epochs × shuffled minibatches of
 *   L = −Σ w·logπ(x_t | x_<t),  w = token-mean weights over the minibatch's policy tokens
 * with global-norm clipping and AdamW at schedule(update). Sequences longer than the model's positions keep
 * their first max_position_embeddings tokens (said on stderr). A non-finite loss or gradient skips that
 * update (reported in its line). At the end the merged weights (LoRA folded in) are written as
 * `<checkpointDir>/supervised/model.safetensors` (HF names: a later run's model.init).
 *
 * stdout: one `supervised.step` JSON line per update, then `supervised.finished` with the file.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Trajectory } from '../../core/env/trajectory';
import { createRng } from '../../core/math/rng';
import { writeSafetensors } from '../../core/model/safetensors';
import { adamWStep, clipGradNorm, createAdamWState } from '../../core/learner/adamw';
import { trajectorySequence } from '../../core/rl/episodeRollout';
import { cloneParams, copyParamsInto, firstNonFinite } from '../../core/learner/paramMap';
import { learningRate } from '../../core/rl/schedule';
import { buildTrainInputs, tokenWeights } from '../../core/learner/trainBatch';
import type { TrainIo } from './trainCommand';
import type { TrainFileConfig } from './trainFileConfig';
import { createCliLearner, loadInitialWeights, loadTrainModel } from './trainSetup';

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
    // Longer than the model's positions: keep the head (prompt and first turns); the tail is not trained.
    const maxLen = model.config.maxPositionEmbeddings;
    const full = readTrajectories(cfg.supervised.trajectories as string).map((t) => trajectorySequence(t, model.tokenizer, model.framing));
    const cut = full.filter((s) => s.tokenIds.length > maxLen).length;
    if (cut > 0) io.stderr.write(`supervised: ${cut} of ${full.length} trajectories exceed ${maxLen} positions; training on their first ${maxLen} tokens\n`);
    const sequences = full.map((s) => ({ tokenIds: s.tokenIds.slice(0, maxLen), policyMask: s.policyMask.slice(0, maxLen) }));
    const params = learner.params();
    const optimizer = createAdamWState(params);
    const shuffle = createRng(cfg.run.seed).fork('supervised.minibatch');
    const size = cfg.supervised.minibatchSize;
    let update = 0;
    for (let epoch = 0; epoch < cfg.supervised.epochs; epoch++) {
      const order = permutation(sequences.length, shuffle.fork(String(epoch)));
      for (let start = 0; start < order.length; start += size) {
        const inputs = buildTrainInputs(order.slice(start, start + size).map((i) => sequences[i] as (typeof sequences)[number]));
        const w = tokenWeights(inputs.lossMask, inputs.batchSize, inputs.seqLen, 'token-mean');
        const lr = learningRate(cfg.supervised.schedule, update);
        const out = await learner.crossEntropyLossAndGrads(inputs, w);
        const bad = !Number.isFinite(out.loss) ? 'loss' : firstNonFinite(out.grads);
        let gradNorm = NaN;
        if (bad === undefined) {
          const before = cloneParams(params);
          gradNorm = clipGradNorm(out.grads, cfg.run.maxGradNorm);
          adamWStep(params, out.grads, optimizer, { ...cfg.run.optimizer, lr });
          if (firstNonFinite(params) !== undefined) copyParamsInto(params, before);
        }
        const tokens = inputs.lossMask.reduce((n, m) => n + m, 0);
        io.stdout.write(JSON.stringify({ type: 'supervised.step', epoch, update: ++update, loss: out.loss, tokens, lr, gradNorm, skipped: bad === undefined ? null : { reason: `non-finite ${bad}` } }) + '\n');
      }
    }
    const dir = join(o.checkpointDir, 'supervised');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'model.safetensors');
    writeFileSync(file, writeSafetensors([...learner.currentWeights()].map(([name, t]) => ({ name, shape: t.shape, data: t.data })), { format: 'router-r1-supervised', runId: cfg.run.runId }));
    io.stdout.write(JSON.stringify({ type: 'supervised.finished', updates: update, file }) + '\n');
    return 0;
  } finally {
    await learner.dispose();
  }
}

/** A Fisher–Yates permutation of 0..n−1 from `rng`. */
function permutation(n: number, rng: { nextFloat(): number }): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.nextFloat() * (i + 1));
    [a[i], a[j]] = [a[j] as number, a[i] as number];
  }
  return a;
}
