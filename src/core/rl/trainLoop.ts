/**
 * The RL loop (DESIGN.md §4) as an async generator of plain-data events. One step:
 *   1. sample questions            (the run's running questions stream; checkpointed)
 *   2. G rollouts each             (the injected rollout port: the real episode; failures excluded)
 *   3. reward                      (Router-R1 reward, the run's shared cost window, α)
 *   4. update                      (advantages, old/ref log-probs from the learner, epochs × minibatches,
 *                                   clipping, AdamW at the scheduled lr; NaN/Inf → skip and restore)
 *   5. sync                        (updated weights into the rollout policy)
 *   6. report and checkpoint       (train.step; a checkpoint every N steps, on abort and at the end)
 *
 * Determinism: every stream forks from createRng(cfg.seed) by name — 'train.questions' (running,
 * checkpointed), 'train.rollout' → `${step}.${q}.${g}` and 'train.minibatch' → `${step}.${epoch}`
 * (pure functions of the step) — so a resumed run repeats the uninterrupted one exactly.
 * Abort: the signal is checked at every step boundary, before every rollout and between rewards and the
 * update (after `yieldToHost`, so a host whose abort arrives as a message gets to read it); the unfinished
 * step is rolled back (params, optimizer, questions stream, cost window) and a 'pause' checkpoint is saved.
 * Core rules: the clock is injected (timings only; nothing learned depends on it), no globals.
 */
import { createRng, restoreRng, type Rng, type RngSnapshot } from '../math/rng';
import type { QuestionRecord, Trajectory } from '../env/trajectory';
import { createCostWindow, type CostWindow } from '../reward/costReward';
import { cloneAdamWState, createAdamWState, type AdamWState } from '../learner/adamw';
import { TRAIN_CHECKPOINT_VERSION, type CheckpointReason, type CheckpointStore, type TrainCheckpoint } from './checkpointStore';
import type { Learner } from '../learner/learner';
import { buildStepBatch, optimize } from './optimize';
import { assertSameLayout, cloneParams, copyParamsInto, type ParamMap } from '../learner/paramMap';
import { collectRollouts, sampleQuestionIndices, scoreRollouts, type KeptRollout, type RolloutPort } from './rollouts';
import { learningRate } from './schedule';
import { TrainConfigError, validateTrainConfig, type TrainConfig } from './trainConfig';
import { noUpdate, stepMetrics, type TrainStepMetrics, type UpdateMetrics } from './trainMetrics';

export type TrainEvent =
  /** The loop is about to run step `step` (0 on a fresh run, the checkpoint's step on resume). */
  | { type: 'train.started'; runId: string; step: number; totalSteps: number; resumed: boolean }
  /** One finished step (also a skipped one: metrics.skipped says why), with sample trajectories. */
  | { type: 'train.step'; metrics: TrainStepMetrics; samples: Trajectory[] }
  | { type: 'train.checkpointed'; step: number; reason: CheckpointReason }
  /** Always the last event. */
  | { type: 'train.finished'; step: number; status: 'completed' | 'aborted' };

export interface TrainDeps {
  learner: Learner;
  /** The training questions (offline pool or a dataset split). */
  questions: readonly QuestionRecord[];
  rollout: RolloutPort;
  /** Copy the updated params into the rollout policy; `step` = completed steps. Called after every step that changed them, and on resume. */
  syncWeights(params: ParamMap, step: number): Promise<void> | void;
  checkpoints?: CheckpointStore;
  /** Continue this checkpoint instead of starting fresh (same seed and parameter layout). */
  resumeFrom?: TrainCheckpoint;
  now: () => number;
  signal?: AbortSignal;
  /**
   * One turn of the host's event loop (a macrotask), awaited before each signal check. Where the abort
   * arrives as a message (the engine worker's 'train.pause') this is what lets it arrive: onnxruntime-web's
   * wasm runs resolve as microtasks, so without it a worker reads the message only when the run is over.
   * Costs one timer turn per rollout.
   */
  yieldToHost?: () => Promise<void>;
}

export interface TrainResult {
  status: 'completed' | 'aborted';
  step: number;
  metrics: TrainStepMetrics[];
}

interface LoopState {
  step: number;
  questionsRng: Rng;
  window: CostWindow;
  optimizer: AdamWState;
  metrics: TrainStepMetrics[];
}

export async function* trainLoop(cfg: TrainConfig, deps: TrainDeps): AsyncGenerator<TrainEvent, TrainResult> {
  checkSetup(cfg, deps);
  const root = createRng(cfg.seed);
  const st = initialState(cfg, deps, root);
  const resumed = deps.resumeFrom !== undefined;
  yield { type: 'train.started', runId: cfg.runId, step: st.step, totalSteps: cfg.steps, resumed };
  try {
    if (resumed) await deps.syncWeights(deps.learner.params(), st.step);
    while (st.step < cfg.steps) {
      await atBoundary(deps);
      const { metrics, samples } = await runStep(cfg, deps, st, root);
      yield { type: 'train.step', metrics, samples };
      if (cfg.checkpointEvery > 0 && st.step % cfg.checkpointEvery === 0 && st.step < cfg.steps) {
        const saved = await save(cfg, deps, st, 'interval');
        if (saved !== undefined) yield saved;
      }
    }
  } catch (err) {
    if (deps.signal?.aborted !== true) throw err;
    const saved = await save(cfg, deps, st, 'pause');
    if (saved !== undefined) yield saved;
    yield { type: 'train.finished', step: st.step, status: 'aborted' };
    return { status: 'aborted', step: st.step, metrics: st.metrics };
  }
  const saved = await save(cfg, deps, st, 'end');
  if (saved !== undefined) yield saved;
  yield { type: 'train.finished', step: st.step, status: 'completed' };
  return { status: 'completed', step: st.step, metrics: st.metrics };
}

/** Drains the loop and returns its result (for callers that need no events). */
export async function runTrainLoop(cfg: TrainConfig, deps: TrainDeps, onEvent?: (e: TrainEvent) => void): Promise<TrainResult> {
  const loop = trainLoop(cfg, deps);
  for (;;) {
    const next = await loop.next();
    if (next.done === true) return next.value;
    onEvent?.(next.value);
  }
}

function checkSetup(cfg: TrainConfig, deps: TrainDeps): void {
  const errors = validateTrainConfig(cfg);
  if (deps.questions.length === 0) errors.push('There are no training questions: pick a dataset or split with questions.');
  if (cfg.algorithm === 'ppo' && (!deps.learner.hasValueHead || deps.learner.values === undefined)) errors.push('PPO needs a learner with a value head; use GRPO or build the learner with one.');
  const cp = deps.resumeFrom;
  if (cp !== undefined && cp.seed !== cfg.seed) errors.push(`The checkpoint was trained with seed ${cp.seed}, the config says ${cfg.seed}; resume with the checkpoint's seed.`);
  if (cp !== undefined && cp.version !== TRAIN_CHECKPOINT_VERSION) errors.push(`Checkpoint version ${String(cp.version)} is not supported (expected ${TRAIN_CHECKPOINT_VERSION}).`);
  if (errors.length > 0) throw new TrainConfigError(errors);
}

function initialState(cfg: TrainConfig, deps: TrainDeps, root: Rng): LoopState {
  const params = deps.learner.params();
  const cp = deps.resumeFrom;
  if (cp === undefined) {
    return { step: 0, questionsRng: root.fork('train.questions'), window: createCostWindow(), optimizer: createAdamWState(params), metrics: [] };
  }
  assertSameLayout(params, cp.params, 'Resuming: checkpoint weights');
  copyParamsInto(params, cp.params);
  return { step: cp.step, questionsRng: restoreRng(cp.rng.questions), window: createCostWindow(cp.costWindow), optimizer: cloneAdamWState(cp.optimizer), metrics: [...cp.metrics] };
}

/** One RL step; on any throw (abort included) the state is rolled back to the step's start. */
async function runStep(cfg: TrainConfig, deps: TrainDeps, st: LoopState, root: Rng): Promise<{ metrics: TrainStepMetrics; samples: Trajectory[] }> {
  const { now, signal } = deps;
  const s = st.step;
  // 0. snapshot: what a skipped update or a throw rolls back to
  const before = snapshotStep(deps.learner, st);
  try {
    const t0 = now();
    // 1. sample questions
    const questions = sampleQuestionIndices(st.questionsRng, deps.questions.length, cfg.questionsPerStep).map((i) => deps.questions[i] as QuestionRecord);
    // 2. rollouts
    const { kept, excluded } = await collectRollouts(questions, deps.rollout, { step: s, groupSize: cfg.groupSize, alpha: cfg.alpha, rolloutRoot: root.fork('train.rollout'), ...(signal === undefined ? {} : { signal }), ...(deps.yieldToHost === undefined ? {} : { yieldToHost: deps.yieldToHost }) });
    const t1 = now();
    // 3. reward
    const scored = scoreRollouts(kept, st.window, cfg.alpha, cfg.metric);
    const t2 = now();
    await atBoundary(deps); // a pause here drops the rollouts: nothing has been applied yet
    // 4. update (a skipped one restores the params and the optimizer)
    const lr = learningRate(cfg.schedule, s);
    const train = await updatePolicy(cfg, deps, st, before, { step: s, kept, rewards: scored.map((t) => t.reward?.total ?? 0), lr, minibatch: root.fork('train.minibatch') });
    const t3 = now();
    // 5. sync
    if (train.skipped === null) await deps.syncWeights(deps.learner.params(), s + 1);
    const t4 = now();
    // 6. metrics
    st.step = s + 1;
    const metrics = stepMetrics(st.step, scored, lr, train, excluded, { rollout: t1 - t0, reward: t2 - t1, train: t3 - t2, sync: t4 - t3, total: t4 - t0 });
    st.metrics.push(metrics);
    return { metrics, samples: scored.slice(0, cfg.samplesPerStep) };
  } catch (err) {
    rollbackStep(deps.learner, st, before);
    throw err;
  }
}

/** A step or phase boundary: the host gets its turn (a pause message is read), then the signal is checked. */
async function atBoundary(deps: TrainDeps): Promise<void> {
  await deps.yieldToHost?.();
  deps.signal?.throwIfAborted();
}

/** The loop state a step may change, as it was when the step began. */
interface StepSnapshot {
  params: ParamMap;
  optimizer: AdamWState;
  rng: RngSnapshot;
  window: readonly number[];
}

function snapshotStep(learner: Learner, st: LoopState): StepSnapshot {
  return { params: cloneParams(learner.params()), optimizer: cloneAdamWState(st.optimizer), rng: st.questionsRng.snapshot(), window: st.window.values() };
}

function rollbackStep(learner: Learner, st: LoopState, before: StepSnapshot): void {
  copyParamsInto(learner.params(), before.params);
  st.optimizer = before.optimizer;
  st.questionsRng = restoreRng(before.rng);
  st.window = createCostWindow(before.window);
}

/** Phase 4: the step's batch (advantages, old/ref log-probs), then the minibatch updates; a skipped update restores params and optimizer. */
async function updatePolicy(cfg: TrainConfig, deps: TrainDeps, st: LoopState, before: StepSnapshot, p: { step: number; kept: readonly KeptRollout[]; rewards: readonly number[]; lr: number; minibatch: Rng }): Promise<UpdateMetrics> {
  if (p.kept.length === 0) return noUpdate({ reason: 'every rollout of the step was excluded' });
  const { learner, signal } = deps;
  const batch = await buildStepBatch(cfg, learner, p.kept, p.rewards, signal);
  const train = await optimize(batch, { learner, optimizer: st.optimizer, cfg, lr: p.lr, shuffle: (e) => p.minibatch.fork(`${p.step}.${e}`), ...(signal === undefined ? {} : { signal }) });
  if (train.skipped !== null) {
    copyParamsInto(learner.params(), before.params);
    st.optimizer = before.optimizer;
  }
  return train;
}

async function save(cfg: TrainConfig, deps: TrainDeps, st: LoopState, reason: CheckpointReason): Promise<TrainEvent | undefined> {
  if (deps.checkpoints === undefined) return undefined;
  const checkpoint: TrainCheckpoint = {
    version: TRAIN_CHECKPOINT_VERSION,
    runId: cfg.runId,
    seed: cfg.seed,
    step: st.step,
    config: cfg,
    params: cloneParams(deps.learner.params()),
    optimizer: cloneAdamWState(st.optimizer),
    rng: { questions: st.questionsRng.snapshot() },
    costWindow: [...st.window.values()],
    metrics: [...st.metrics],
    reason,
    savedAtMs: deps.now(),
  };
  await deps.checkpoints.save(checkpoint);
  return { type: 'train.checkpointed', step: st.step, reason };
}
