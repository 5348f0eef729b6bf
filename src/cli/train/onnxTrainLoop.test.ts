/**
 * core trainLoop with the ONNX learner on onnxruntime-node (one thread: bitwise deterministic), on the
 * synthetic task of src/testing/syntheticTask.ts: a tiny Qwen2 decoder over 8 tokens reads a context token
 * and emits one action token; the real Router-R1 reward pays the rewarded action. Rollouts sample
 * from the rollout model that syncWeights rebuilds from the learner's weights (rolloutModel.ts) —
 * the same path `cli train` uses. Checks: reward improves; same seed → same metrics and weights,
 * bitwise; checkpoint (on disk) → resume gives the same next steps; NaN in the gradients skips the step.
 * PPO (the learner with a value head, GAE) clears the same bar, and its checkpoint (value head included)
 * resumes the same way.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { softmax } from '../../core/math/logits';
import { parseDecoderConfig } from '../../core/onnx/decoderConfig';
import { TINY_DECODER_CONFIGS } from '../../testing/tinyDecoders';
import { createSeededUniform } from '../../core/onnx/weights';
import { randomDecoderWeights } from '../../core/onnx/weights';
import type { TrainCheckpoint } from '../../core/rl/checkpointStore';
import type { Learner } from '../../core/learner/learner';
import { answerText, contextOf, createSyntheticTask, sampleFrom, syntheticTrajectory } from '../../testing/syntheticTask';
import { createTrainConfig, type TrainConfig } from '../../core/rl/trainConfig';
import { runTrainLoop } from '../../core/rl/trainLoop';
import type { TrainStepMetrics } from '../../core/rl/trainMetrics';
import type { RolloutPort } from '../../core/rl/rollouts';
import { createOnnxLearner, type OnnxLearner } from '../../core/learner/onnxLearner';
import { nodeTrainSessions } from '../../adapters/node/nodeTrainSession';
import { createFsCheckpointStore, loadCheckpointDir } from './fsCheckpointStore';
import { createRolloutModel, type RolloutModel } from './rolloutModel';

const task = createSyntheticTask(4, 4);
const config = parseDecoderConfig({ ...TINY_DECODER_CONFIGS.qwen2Gqa, vocab_size: task.vocabSize });
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function cfg(over: Partial<TrainConfig> = {}): TrainConfig {
  return createTrainConfig({
    runId: 'onnx-synthetic',
    seed: 42,
    steps: 12,
    questionsPerStep: 4,
    groupSize: 8,
    minibatchSize: 32,
    loss: { clipRatio: 0.2, klCoef: 0.001, entropyCoef: 0, valueCoef: 0, valueClip: 0.5 },
    optimizer: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 },
    schedule: { kind: 'constant', lr: 0.01 },
    checkpointEvery: 0,
    samplesPerStep: 0,
    ...over,
  });
}

interface Setup {
  learner: OnnxLearner;
  rollouts: RolloutModel;
  rollout: RolloutPort;
  pRewarded(): Promise<number>;
  dispose(): Promise<void>;
}

async function setup(valueHead = false): Promise<Setup> {
  const weights = randomDecoderWeights(config, createSeededUniform(3));
  // Random test weights give peaked logits (tied U(−1, 1) embeddings); shrink them so the policy starts
  // near uniform over the 8 tokens and every action gets sampled.
  const embed = weights.get('model.embed_tokens.weight');
  if (embed !== undefined) weights.set('model.embed_tokens.weight', { ...embed, data: embed.data.map((x) => x * 0.05) });
  const learner = await createOnnxLearner({ config, weights, trainable: { kind: 'full' }, open: nodeTrainSessions({ intraOpThreads: 1 }), valueHead });
  const rollouts = await createRolloutModel(weights, { config, precision: 'fp32', eosTokenIds: [], intraOpThreads: 1 });
  const logitsFor = async (c: number): Promise<Float32Array> => {
    const m = rollouts.current();
    m.reset();
    return m.forward([c]);
  };
  return {
    learner,
    rollouts,
    async rollout(req) {
      const c = contextOf(req.question);
      const tok = sampleFrom(await logitsFor(c), req.rng);
      const action = tok >= task.contexts ? tok - task.contexts : null;
      return { trajectory: syntheticTrajectory(req.question, answerText(action)), sequence: { tokenIds: [c, tok], policyMask: [0, 1] } };
    },
    async pRewarded() {
      let s = 0;
      for (let c = 0; c < task.contexts; c++) s += softmax(await logitsFor(c))[task.contexts + task.rewarded(c)] as number;
      return s / task.contexts;
    },
    async dispose() {
      await learner.dispose();
      await rollouts.dispose();
    },
  };
}

let clock = 0;
const now = (): number => (clock += 1);
const stable = (ms: TrainStepMetrics[]) => ms.map(({ timeMs: _t, ...rest }) => rest);
const flat = (l: Learner): number[] => [...l.params().values()].flatMap((t) => Array.from(t));

async function run(c: TrainConfig, s: Setup, extra: { learner?: Learner; resumeFrom?: TrainCheckpoint; checkpointDir?: string } = {}) {
  return runTrainLoop(c, {
    learner: extra.learner ?? s.learner,
    questions: task.questions,
    rollout: s.rollout,
    syncWeights: () => s.rollouts.sync(s.learner.currentWeights()),
    ...(extra.checkpointDir === undefined ? {} : { checkpoints: createFsCheckpointStore(extra.checkpointDir) }),
    ...(extra.resumeFrom === undefined ? {} : { resumeFrom: extra.resumeFrom }),
    now,
  });
}

describe('trainLoop with the ONNX learner (onnxruntime-node)', () => {
  it('GRPO improves the reward: P(rewarded action) averaged over contexts rises from chance to > 0.6 in 12 steps', async () => {
    const s = await setup();
    try {
      const before = await s.pRewarded();
      const { metrics } = await run(cfg(), s);
      const after = await s.pRewarded();
      console.log(`ONNX learner on the synthetic task: P(rewarded) ${before.toFixed(3)} → ${after.toFixed(3)}; reward ${metrics.map((m) => m.rewardMean.toFixed(2)).join(' ')}`);
      expect(metrics.every((m) => m.skipped === null && m.updates === 1)).toBe(true);
      expect(after).toBeGreaterThan(Math.max(0.6, before + 0.3));
      const early = (metrics[0]?.rewardMean ?? 0) + (metrics[1]?.rewardMean ?? 0);
      const late = (metrics.at(-1)?.rewardMean ?? 0) + (metrics.at(-2)?.rewardMean ?? 0);
      expect(late).toBeGreaterThan(early);
      expect(s.rollouts.syncs).toBe(12);
    } finally {
      await s.dispose();
    }
  });

  const ppo = (over: Partial<TrainConfig> = {}): TrainConfig => cfg({ algorithm: 'ppo', loss: { clipRatio: 0.2, klCoef: 0.001, entropyCoef: 0, valueCoef: 0.5, valueClip: 0.5 }, ...over });

  it('PPO (value head, GAE γ = λ = 1, whitened) improves the reward past the same bar in 12 steps', async () => {
    const s = await setup(true);
    try {
      const before = await s.pRewarded();
      const { metrics } = await run(ppo(), s);
      const after = await s.pRewarded();
      console.log(`ONNX learner, PPO, on the synthetic task: P(rewarded) ${before.toFixed(3)} → ${after.toFixed(3)}; reward ${metrics.map((m) => m.rewardMean.toFixed(2)).join(' ')}; value loss ${metrics.map((m) => m.valueLoss.toFixed(3)).join(' ')}`);
      expect(metrics.every((m) => m.skipped === null && m.updates === 1)).toBe(true);
      expect(metrics.every((m) => m.valueLoss > 0)).toBe(true);
      expect(after).toBeGreaterThan(Math.max(0.6, before + 0.3));
      // the critic trained: the head moved off its zero init
      expect(Array.from(s.learner.params().get('value_head.weight') ?? []).some((x) => x !== 0)).toBe(true);
    } finally {
      await s.dispose();
    }
  });

  it('PPO: a checkpoint on disk (value head included) resumes to the same next steps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onnx-ppo-'));
    dirs.push(dir);
    const [straight, first, second] = [await setup(true), await setup(true), await setup(true)];
    try {
      const all = await run(ppo({ steps: 4 }), straight);
      await run(ppo({ steps: 2 }), first, { checkpointDir: dir });
      const checkpoint = loadCheckpointDir(dir);
      expect(checkpoint.params.has('value_head.weight')).toBe(true);
      const resumed = await run(ppo({ steps: 4 }), second, { resumeFrom: { ...checkpoint, config: ppo({ steps: 4 }) } });
      expect(stable(resumed.metrics)).toEqual(stable(all.metrics));
      expect(flat(second.learner)).toEqual(flat(straight.learner));
    } finally {
      await Promise.all([straight.dispose(), first.dispose(), second.dispose()]);
    }
  });

  it('is deterministic: the same seed gives bitwise the same metrics and weights', async () => {
    const [a, b] = [await setup(), await setup()];
    try {
      const [x, y] = [await run(cfg({ steps: 3 }), a), await run(cfg({ steps: 3 }), b)];
      expect(stable(y.metrics)).toEqual(stable(x.metrics));
      expect(flat(b.learner)).toEqual(flat(a.learner));
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });

  it('a checkpoint on disk resumes to the same next steps as the uninterrupted run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onnx-train-'));
    dirs.push(dir);
    const [straight, first, second] = [await setup(), await setup(), await setup()];
    try {
      const all = await run(cfg({ steps: 4 }), straight);
      await run(cfg({ steps: 2 }), first, { checkpointDir: dir });
      const checkpoint = loadCheckpointDir(dir);
      expect(checkpoint.step).toBe(2);
      const resumed = await run(cfg({ steps: 4 }), second, { resumeFrom: { ...checkpoint, config: cfg({ steps: 4 }) } });
      expect(stable(resumed.metrics)).toEqual(stable(all.metrics));
      expect(flat(second.learner)).toEqual(flat(straight.learner));
    } finally {
      await Promise.all([straight.dispose(), first.dispose(), second.dispose()]);
    }
  });

  it('NaN in the gradients skips the step, restores the weights and does not sync', async () => {
    const s = await setup();
    try {
      let calls = 0;
      const poisoned: Learner = {
        ...s.learner,
        params: () => s.learner.params(),
        async computeLossAndGrads(batch, opts) {
          const out = await s.learner.computeLossAndGrads(batch, opts);
          if (++calls === 2) (out.grads.values().next().value as Float32Array)[0] = NaN;
          return out;
        },
      };
      const afterStep1: number[][] = [];
      const { metrics } = await runTrainLoop(cfg({ steps: 3 }), {
        learner: poisoned,
        questions: task.questions,
        rollout: s.rollout,
        syncWeights: async (_p, step) => {
          if (step === 1) afterStep1.push(flat(s.learner));
          await s.rollouts.sync(s.learner.currentWeights());
        },
        now,
      });
      expect(metrics.map((m) => m.skipped?.reason ?? null)).toEqual([null, 'non-finite gradient of "model.embed_tokens.weight" at update 1', null]);
      expect(s.rollouts.syncs).toBe(2);
      expect(afterStep1).toHaveLength(1);
    } finally {
      await s.dispose();
    }
  });
});
