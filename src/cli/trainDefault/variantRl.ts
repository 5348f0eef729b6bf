/**
 * The RL stage of train-default: GRPO (core trainLoop) from the warm-up weights at the variant's α,
 * rollouts from core's createOfflinePoolRollout (the composition cli train and the browser use) on the
 * TRAINING questions, the ONNX learner on onnxruntime-node, the rollout model rebuilt after every step.
 * The reference policy of the KL term is the warm-up policy. Every step is a JSON line on stdout.
 * Must not: compose rollouts or updates itself (core does).
 */
import type { DefaultPolicyVariant } from '../../core/defaultPolicy/defaultModel';
import { toQuestionRecord } from '../../core/defaultPolicy/corpus';
import { DEFAULT_ENV_SETTINGS } from '../../core/env/trajectory';
import type { OfflineBank, OfflineQuestion } from '../../core/offline/offlineBank';
import type { WeightTensor } from '../../core/onnx/weights';
import { NO_FOLDER_DECODING } from '../../core/policy/folderDecoding';
import { createOfflinePoolRollout } from '../../core/rl/offlinePoolRollout';
import { createTrainConfig, type TrainConfig } from '../../core/rl/trainConfig';
import type { TrainStepMetrics } from '../../core/rl/trainMetrics';
import { runTrainLoop } from '../../core/rl/trainLoop';
import { DEFAULT_AGENT_TEMPLATE } from '../../core/protocol/prompt';
import { ownedWeights } from '../../core/learner/onnxLearner';
import { createRolloutModel } from '../train/rolloutModel';
import type { TrainModel } from '../train/trainSetup';
import { openFullLearner, TRAIN_DEFAULT_THREADS } from './defaultLearner';

/** Rollout turns stop here (a teacher turn is under 80 tokens); an overlong turn is a format error. */
export const RL_MAX_NEW_TOKENS = 160;

export interface VariantRlInput {
  dir: string;
  model: TrainModel;
  weights: Map<string, WeightTensor>;
  bank: OfflineBank;
  training: readonly OfflineQuestion[];
  variant: DefaultPolicyVariant;
  seed: number;
  now: () => number;
  log: (s: string) => void;
  line: (v: unknown) => void;
}

export async function runVariantRl(o: VariantRlInput): Promise<{ weights: Map<string, WeightTensor>; steps: number }> {
  const { model, variant: v } = o;
  const cfg = variantTrainConfig(v, o.seed);
  const learner = await openFullLearner(model.config, o.weights);
  const rolloutModel = await createRolloutModel(o.weights, { config: model.config, precision: 'fp32', eosTokenIds: model.eosTokenIds, intraOpThreads: TRAIN_DEFAULT_THREADS });
  try {
    const rollout = createOfflinePoolRollout({
      bank: o.bank,
      tokenizer: model.tokenizer,
      framing: model.framing,
      model: () => rolloutModel.current(),
      policyId: v.name,
      sampling: { temperature: 1, topP: 1, topK: 0, seed: o.seed },
      // train-default's RL samples without the folder's grammar and spans (the shipped folders ask for them at inference)
      decoding: NO_FOLDER_DECODING,
      tokenizerVocabSize: model.folder.tokenizerVocabSize,
      agentTemplate: DEFAULT_AGENT_TEMPLATE,
      settings: { ...DEFAULT_ENV_SETTINGS, maxNewTokens: RL_MAX_NEW_TOKENS },
      now: o.now,
    });
    let steps = 0;
    const result = await runTrainLoop(cfg, { learner, questions: o.training.map(toQuestionRecord), rollout, syncWeights: () => rolloutModel.sync(learner.currentWeights()), now: o.now }, (e) => {
      if (e.type !== 'train.step') return;
      steps = e.metrics.step;
      reportStep(o, e.metrics, cfg.steps);
    });
    if (result.status !== 'completed') throw new Error(`RL for ${v.name} stopped: ${result.status}`);
    return { weights: ownedWeights(learner), steps };
  } finally {
    await rolloutModel.dispose();
    await learner.dispose();
  }
}

/** GRPO at the variant's α: one update per step over all its rollouts, KL 0.02 to the warm-up policy, no checkpoints. */
function variantTrainConfig(v: DefaultPolicyVariant, seed: number): TrainConfig {
  return createTrainConfig({
    runId: `train-default.${v.name}`,
    seed,
    steps: v.rl.steps,
    questionsPerStep: v.rl.questionsPerStep,
    groupSize: v.rl.groupSize,
    alpha: v.alpha,
    minibatchSize: v.rl.questionsPerStep * v.rl.groupSize,
    epochs: 1,
    schedule: { kind: 'constant', lr: v.rl.lr, warmupSteps: 0 },
    loss: { clipRatio: 0.2, klCoef: 0.02, entropyCoef: 0, valueCoef: 0.5, valueClip: 0.5 },
    checkpointEvery: 0,
    samplesPerStep: 0,
  });
}

/** A step as a JSON line and a progress line. */
function reportStep(o: Pick<VariantRlInput, 'variant' | 'line' | 'log'>, m: TrainStepMetrics, total: number): void {
  const name = o.variant.name;
  o.line({ type: 'train-default.rl', name, step: m.step, reward: m.rewardMean, em: m.em, cost: m.costUnitsPerQuestion, formatErrorRate: m.formatErrorRate, calls: m.callsPerQuestion, kl: m.kl, entropy: m.entropy, skipped: m.skipped?.reason ?? null, ms: Math.round(m.timeMs.total) });
  o.log(`${name}: RL step ${m.step}/${total}: reward ${m.rewardMean.toFixed(3)}, EM ${m.em.toFixed(3)}, cost ${m.costUnitsPerQuestion.toFixed(2)}, format errors ${(m.formatErrorRate * 100).toFixed(0)}%, KL ${m.kl.toFixed(4)}, ${(m.timeMs.total / 1000).toFixed(1)} s${m.skipped === null ? '' : ` (skipped: ${m.skipped.reason})`}`);
}
