import { describe, expect, it } from 'vitest';
import { createRng } from '../math/rng';
import { scoreTrajectory } from '../env/metrics';
import { createMemoryCheckpointStore } from './checkpointStore';
import { BIGRAM_LOGITS, createFakeBigramLearner, type FakeBigramLearner } from '../../testing/fakeBigramLearner';
import type { Learner } from '../learner/learner';
import { cloneParams } from '../learner/paramMap';
import { callTo, createSyntheticRollouts, createSyntheticTask, POOL, syntheticTrajectory, answerText, type SyntheticRolloutOptions } from '../../testing/syntheticTask';
import { createTrainConfig, TrainConfigError, type TrainConfig } from './trainConfig';
import { runTrainLoop, trainLoop, type TrainDeps, type TrainEvent } from './trainLoop';
import { rewardMetrics, type TrainStepMetrics } from './trainMetrics';

const task = createSyntheticTask(4, 4);

/** Fast settings for a 4-context, 4-action task: Adam on a logits table learns in tens of steps. */
function config(over: Partial<TrainConfig> = {}): TrainConfig {
  return createTrainConfig({
    runId: 'synthetic',
    seed: 42,
    steps: 60,
    questionsPerStep: 4,
    groupSize: 8,
    epochs: 2,
    minibatchSize: 16,
    loss: { clipRatio: 0.2, klCoef: 0, entropyCoef: 0, valueCoef: 0.5, valueClip: 0.5 },
    optimizer: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 },
    schedule: { kind: 'constant', lr: 0.05 },
    checkpointEvery: 0,
    samplesPerStep: 2,
    ...over,
  });
}

/** A clock that advances 5 ms per reading. */
function tickingClock(): () => number {
  let t = 0;
  return () => (t += 5);
}

function setup(over: { cfg?: Partial<TrainConfig>; rollouts?: SyntheticRolloutOptions; learner?: (l: FakeBigramLearner) => Learner; valueHead?: boolean } = {}) {
  const fake = createFakeBigramLearner({ vocabSize: task.vocabSize, valueHead: over.valueHead ?? false });
  const learner = over.learner?.(fake) ?? fake;
  const rollouts = createSyntheticRollouts(task, fake.params(), over.rollouts);
  const store = createMemoryCheckpointStore();
  const ac = new AbortController();
  const deps: TrainDeps = { learner, questions: task.questions, rollout: rollouts.rollout, syncWeights: (p) => rollouts.syncWeights(p), checkpoints: store, now: tickingClock(), signal: ac.signal };
  return { cfg: config(over.cfg), fake, learner, rollouts, store, ac, deps };
}

const meanPRewarded = (r: { pRewarded(c: number): number }): number => task.questions.reduce((s, _, c) => s + r.pRewarded(c), 0) / task.contexts;

/** Metrics without the clock-dependent part. */
const stable = (m: TrainStepMetrics): Omit<TrainStepMetrics, 'timeMs'> => {
  const { timeMs: _t, ...rest } = m;
  return rest;
};

describe('trainLoop: RL must succeed', () => {
  // Six seeds: one seed's verdict could be luck; the same seeds serve the learned and the control runs.
  const SEEDS = [1, 2, 3, 4, 5, 6];

  /** The actions permuted at random, one permutation per step, shared by every context. */
  const permutation = (seed: number, step: number): number[] => {
    const rng = createRng(seed).fork(`perm.${step}`);
    const p = [0, 1, 2, 3];
    for (let i = p.length - 1; i > 0; i--) {
      const j = Math.floor(rng.nextFloat() * (i + 1));
      [p[i], p[j]] = [p[j] as number, p[i] as number];
    }
    return p;
  };

  it('GRPO learns to emit the rewarded action: P(rewarded | context) > 0.9 for every context after 60 steps, every seed', async () => {
    for (const seed of SEEDS) {
      const { cfg, rollouts, deps } = setup({ cfg: { seed } });
      expect(meanPRewarded(rollouts)).toBeCloseTo(1 / 8, 6); // uniform over 8 tokens
      const result = await runTrainLoop(cfg, deps);
      expect(result.status).toBe('completed');
      for (let c = 0; c < task.contexts; c++) expect(rollouts.pRewarded(c)).toBeGreaterThan(0.9);
      const last = result.metrics.at(-1) as TrainStepMetrics;
      expect(last.rewardMean).toBeGreaterThan(0.8);
      expect(last.em).toBe(last.rewardMean); // α = 0 and the format is always right: reward = EM
      expect(result.metrics[0]?.rewardMean).toBeLessThan(0.5);
      expect(result.metrics.every((m) => m.skipped === null && m.updates === 4)).toBe(true);
    }
  });

  it('fails to learn when the reward is shuffled (a random permutation of the actions every step)', async () => {
    const finals: number[] = [];
    for (const seed of SEEDS) {
      const { cfg, rollouts, deps } = setup({ cfg: { seed }, rollouts: { gold: (req, c) => `choice${permutation(seed * 13, req.step)[task.rewarded(c)] as number}` } });
      const result = await runTrainLoop(cfg, deps);
      expect(result.status).toBe('completed');
      finals.push(meanPRewarded(rollouts));
      // The reward still arrives (a quarter of the actions pay each step), it just carries no signal.
      const lateReward = result.metrics.slice(-10).reduce((s, m) => s + m.rewardMean, 0) / 10;
      expect(lateReward).toBeLessThan(0.5);
    }
    // Chance is 1/8; the same budget with the true reward reaches > 0.9 on every seed. Adam turns
    // noise into full-size steps, so single runs wander (up to ~0.3 here) but never converge.
    expect(finals.reduce((a, b) => a + b, 0) / finals.length).toBeLessThan(0.35);
    expect(Math.max(...finals)).toBeLessThan(0.5);
  });

  it('PPO with a value head (GAE γ = λ = 1, whitened) learns the same task', async () => {
    const { cfg, rollouts, deps } = setup({ valueHead: true, cfg: { algorithm: 'ppo' } });
    const result = await runTrainLoop(cfg, deps);
    for (let c = 0; c < task.contexts; c++) expect(rollouts.pRewarded(c)).toBeGreaterThan(0.9);
    expect(result.metrics.some((m) => m.valueLoss > 0)).toBe(true);
  });

  it('a KL penalty to the reference holds the policy back (smaller P(rewarded) than without)', async () => {
    const free = setup({ cfg: { steps: 20 } });
    await runTrainLoop(free.cfg, free.deps);
    const tied = setup({ cfg: { steps: 20, loss: { clipRatio: 0.2, klCoef: 2, entropyCoef: 0, valueCoef: 0, valueClip: 0.5 } } });
    const r = await runTrainLoop(tied.cfg, tied.deps);
    expect(meanPRewarded(tied.rollouts)).toBeLessThan(meanPRewarded(free.rollouts));
    expect(r.metrics.at(-1)?.kl).toBeGreaterThan(0);
  });
});

describe('trainLoop: events, metrics and bad input', () => {
  it('yields started, one train.step per step with samples and a timing split, a final checkpoint, finished', async () => {
    const { cfg, deps, rollouts } = setup({ cfg: { steps: 3 } });
    const events: TrainEvent[] = [];
    await runTrainLoop(cfg, deps, (e) => events.push(e));
    expect(events.map((e) => e.type)).toEqual(['train.started', 'train.step', 'train.step', 'train.step', 'train.checkpointed', 'train.finished']);
    const step = events[1] as Extract<TrainEvent, { type: 'train.step' }>;
    expect(step.samples).toHaveLength(2);
    expect(step.samples[0]?.reward).not.toBeNull();
    const t = step.metrics.timeMs;
    expect(t.rollout).toBeGreaterThan(0);
    expect(t.rollout + t.reward + t.train + t.sync).toBe(t.total);
    expect(step.metrics).toMatchObject({ step: 1, rollouts: 32, lr: 0.05, excluded: [], skipped: null });
    expect(rollouts.syncs).toBe(3);
    expect(events.at(-1)).toEqual({ type: 'train.finished', step: 3, status: 'completed' });
  });

  it('excludes rollouts with a failed candidate call or a thrown error, keeps unknown-model routes, and trains on the rest', async () => {
    const { cfg, deps } = setup({
      cfg: { steps: 2 },
      rollouts: {
        tamper: (req, r) => {
          if (req.groupIndex === 0) return { ...r, trajectory: syntheticTrajectory(req.question, answerText(1), [callTo(1, 50, { kind: 'server', message: 'HTTP 503' })]) };
          if (req.groupIndex === 1 && req.questionIndex === 0) throw new Error('tokenizer exploded');
          if (req.groupIndex === 2) return { ...r, trajectory: syntheticTrajectory(req.question, answerText(1), [{ ...callTo(0, 0, { kind: 'unknown-model', message: 'no such model' }), prompt: null }]) };
          return r;
        },
      },
    });
    const { metrics } = await runTrainLoop(cfg, deps);
    const m = metrics[0] as TrainStepMetrics;
    expect(m.excluded).toHaveLength(5);
    expect(m.excluded.filter((x) => x.reason.includes('(server)'))).toHaveLength(4);
    expect(m.excluded.some((x) => x.reason.includes('tokenizer exploded'))).toBe(true);
    expect(m.rollouts).toBe(32 - 5);
    expect(m.skipped).toBeNull();
    expect(m.updates).toBeGreaterThan(0);
  });

  it('reward parts add up to the mean reward; cost, calls and routing share per model', () => {
    const q = task.questions[0] as (typeof task.questions)[number];
    const gold = q.goldAnswers[0] as string;
    const right = `<think>x</think>\n<answer>${gold}</answer>`;
    const trajectories = [
      syntheticTrajectory(q, right, [callTo(0, 4)]),
      syntheticTrajectory(q, right, [callTo(1, 100), callTo(1, 44)]),
      syntheticTrajectory(q, '<answer>oops</answer>'), // format error
      syntheticTrajectory(q, answerText(3), [callTo(0, 9)]), // wrong answer
    ].map((t, i) => scoreTrajectory(t, { alpha: 0.5, costReward: [1, 0.25, 0, 0][i] as number }));
    const m = rewardMetrics(trajectories);
    expect(m.rewardMean).toBeCloseTo(m.rewardFormat + m.rewardOutcome + m.rewardCost, 12);
    expect(m.rewardFormat).toBe(-0.25);
    expect(m.rewardOutcome).toBeCloseTo((0.5 + 0.5) / 4, 12);
    expect(m.rewardCost).toBeCloseTo((0.5 * 1 + 0.5 * 0.25) / 4, 12);
    expect(m.formatErrorRate).toBeGreaterThanOrEqual(0.25);
    expect(m.costUnitsPerQuestion).toBeCloseTo((4 + 144 + 0 + 9) / 4, 12);
    expect(m.callsPerQuestion).toBe(1);
    expect(m.routingShare).toEqual({ [POOL[0]?.name as string]: 0.5, [POOL[1]?.name as string]: 0.5 });
  });

  it('NaN/Inf in the loss or the gradients skips the step, restores the params and optimizer, reports it, and goes on', async () => {
    let calls = 0;
    const { cfg, deps, fake, rollouts, store } = setup({
      cfg: { steps: 3 },
      learner: (l) => ({
        ...l,
        params: () => l.params(),
        async computeLossAndGrads(batch, opts) {
          const out = await l.computeLossAndGrads(batch, opts);
          calls++;
          // 4 updates per step. Update 6 is the 2nd of step 2: one update of that step already moved the params.
          if (calls === 6) (out.grads.get(BIGRAM_LOGITS) as Float32Array)[3] = NaN;
          if (calls === 9) return { ...out, loss: Infinity }; // the 3rd update of step 3
          return out;
        },
      }),
    });
    const snapshots: Float32Array[] = [];
    deps.syncWeights = (p) => {
      rollouts.syncWeights(p);
      snapshots.push(Float32Array.from(p.get(BIGRAM_LOGITS) as Float32Array));
    };
    const { metrics } = await runTrainLoop(cfg, deps);
    expect(metrics.map((m) => m.skipped?.reason ?? null)).toEqual([null, 'non-finite gradient of "bigram.logits" at update 2', 'non-finite loss at update 3']);
    // Skipped steps do not sync: only step 1 did, and the params are still exactly step 1's.
    expect(snapshots).toHaveLength(1);
    expect(Array.from(fake.params().get(BIGRAM_LOGITS) as Float32Array)).toEqual(Array.from(snapshots[0] as Float32Array));
    const end = store.saved.at(-1);
    expect(end?.optimizer.step).toBe(4); // only step 1's four updates count
    expect(metrics[1]?.updates).toBe(1);
  });

  it('rejects an invalid configuration with every problem listed', async () => {
    const { deps } = setup();
    const bad = config({ groupSize: 1, steps: 0, alpha: 2 });
    await expect(trainLoop(bad, deps).next()).rejects.toThrow(TrainConfigError);
    await expect(trainLoop(config({ algorithm: 'ppo' }), deps).next()).rejects.toThrow(/value head/);
  });
});

describe('trainLoop: abort, checkpoints and resume', () => {
  it('an abort between steps saves a pause checkpoint and resuming reproduces the uninterrupted run exactly', async () => {
    const full = setup({ cfg: { steps: 6, checkpointEvery: 2 } });
    const straight = await runTrainLoop(full.cfg, full.deps);
    expect(full.store.saved.map((c) => [c.step, c.reason])).toEqual([[2, 'interval'], [4, 'interval'], [6, 'end']]);

    const first = setup({ cfg: { steps: 6, checkpointEvery: 2 } });
    const events: TrainEvent[] = [];
    const paused = await runTrainLoop(first.cfg, first.deps, (e) => {
      events.push(e);
      if (e.type === 'train.step' && e.metrics.step === 3) first.ac.abort(new Error('pause'));
    });
    expect(paused).toMatchObject({ status: 'aborted', step: 3 });
    expect(events.slice(-2)).toEqual([{ type: 'train.checkpointed', step: 3, reason: 'pause' }, { type: 'train.finished', step: 3, status: 'aborted' }]);

    const checkpoint = await first.store.load('synthetic');
    expect(checkpoint?.step).toBe(3);
    const second = setup({ cfg: { steps: 6, checkpointEvery: 2 } });
    second.deps.resumeFrom = checkpoint;
    const resumed = await runTrainLoop(second.cfg, second.deps);
    expect(resumed.status).toBe('completed');
    expect(resumed.metrics.map(stable)).toEqual(straight.metrics.map(stable));
    expect(Array.from(second.fake.params().get(BIGRAM_LOGITS) as Float32Array)).toEqual(Array.from(full.fake.params().get(BIGRAM_LOGITS) as Float32Array));
    expect(second.rollouts.syncs).toBe(1 + 3); // the resume sync, then steps 4–6
  });

  it('an abort inside a step rolls the step back (params, optimizer, questions stream, cost window) and resumes from its start', async () => {
    const full = setup({ cfg: { steps: 4, alpha: 0.5 } });
    const straight = await runTrainLoop(full.cfg, full.deps);

    let stepTwoParams: Float32Array | undefined;
    const first = setup({
      cfg: { steps: 4, alpha: 0.5 },
      rollouts: {
        tamper: (req, r) => {
          if (req.step === 2 && req.questionIndex === 1 && req.groupIndex === 3) {
            first.ac.abort(new Error('closed the tab'));
            throw first.ac.signal.reason;
          }
          return r;
        },
      },
    });
    first.deps.syncWeights = (p, step) => {
      first.rollouts.syncWeights(p);
      if (step === 2) stepTwoParams = Float32Array.from(p.get(BIGRAM_LOGITS) as Float32Array);
    };
    const paused = await runTrainLoop(first.cfg, first.deps);
    expect(paused).toMatchObject({ status: 'aborted', step: 2 });
    const checkpoint = first.store.saved.at(-1);
    expect(checkpoint).toMatchObject({ step: 2, reason: 'pause' });
    expect(Array.from(checkpoint?.params.get(BIGRAM_LOGITS) ?? [])).toEqual(Array.from(stepTwoParams ?? []));
    expect(checkpoint?.costWindow).toHaveLength(2 * 32);

    const second = setup({ cfg: { steps: 4, alpha: 0.5 } });
    second.deps.resumeFrom = checkpoint;
    const resumed = await runTrainLoop(second.cfg, second.deps);
    expect(resumed.metrics.map(stable)).toEqual(straight.metrics.map(stable));
  });

  it('the host gets a turn before every rollout, before the update and at every step boundary; a pause it delivers before an update drops that step', async () => {
    // yieldToHost is where a worker reads its 'train.pause' message (issue 16): per step, 1 boundary + 4 × 8 rollouts + 1 before the update
    const counted = setup({ cfg: { steps: 2 } });
    let turns = 0;
    counted.deps.yieldToHost = async () => void turns++;
    const straight = await runTrainLoop(counted.cfg, counted.deps);
    expect(turns).toBe(2 * (1 + 4 * 8 + 1));

    const first = setup({ cfg: { steps: 2 } });
    let n = 0;
    first.deps.yieldToHost = async () => {
      if (++n === 34 + 34) first.ac.abort(new Error('pause')); // step 2's turn between rewards and update
    };
    const paused = await runTrainLoop(first.cfg, first.deps);
    expect(paused).toMatchObject({ status: 'aborted', step: 1 });
    const checkpoint = first.store.saved.at(-1);
    expect(checkpoint).toMatchObject({ step: 1, reason: 'pause' });
    expect(checkpoint?.costWindow).toHaveLength(32); // step 2's rewards were rolled back
    const second = setup({ cfg: { steps: 2 } });
    second.deps.resumeFrom = checkpoint;
    const resumed = await runTrainLoop(second.cfg, second.deps);
    expect(resumed.metrics.map(stable)).toEqual(straight.metrics.map(stable));
  });

  it('an already-aborted signal stops before the first step; a resume with the wrong seed is refused', async () => {
    const { cfg, deps, ac, store } = setup();
    ac.abort(new Error('stop'));
    const events: TrainEvent[] = [];
    const r = await runTrainLoop(cfg, deps, (e) => events.push(e));
    expect(r).toMatchObject({ status: 'aborted', step: 0 });
    expect(events.map((e) => e.type)).toEqual(['train.started', 'train.checkpointed', 'train.finished']);
    const other = setup();
    other.deps.resumeFrom = { ...(store.saved[0] as NonNullable<TrainDeps['resumeFrom']>), params: cloneParams(other.fake.params()) };
    await expect(trainLoop({ ...other.cfg, seed: 7 }, other.deps).next()).rejects.toThrow(/seed 42/);
  });
});
