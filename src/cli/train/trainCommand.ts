/**
 * `npm run -s cli -- train --config <file.json> [--data-root DIR] [--checkpoint-dir DIR] [--resume DIR]
 *  [--steps N]` (and `train describe-config`: every field of the config file): the RL loop of DESIGN.md §4 in Node — core trainLoop with the
 * ONNX learner on onnxruntime-node, rollouts from core's createOfflinePoolRollout (the real environment,
 * a policy over the current weights, the offline pool as candidates; the same composition as the
 * browser's). Mode 'supervised' runs the warm-up instead (supervisedWarmup.ts). Must not: compose
 * rollouts or training steps itself (core does), or print anything but JSON lines on stdout.
 *
 * stdout: JSON lines only — `train.started`, one `train.step` per step (the metrics the Train view
 * charts: reward mean and parts, EM, cost per question, format-error rate, calls per question,
 * routing share per model, KL, entropy, step time split), `train.checkpointed` (with the folder),
 * `train.finished`. Progress and errors go to stderr.
 */
import { createFsDataRoot, defaultDataRootDir } from '../../adapters/node/fsDataRoot';
import type { QuestionRecord } from '../../core/env/trajectory';
import { loadOfflineBank, type OfflineBank } from '../../core/offline/offlineBank';
import { offlineBankQuestions, offlinePoolModels } from '../../core/offline/offlinePool';
import { folderDecodingOf } from '../../core/model/routerJson';
import { createOfflinePoolRollout } from '../../core/rl/offlinePoolRollout';
import type { RolloutPort } from '../../core/rl/rollouts';
import { runTrainLoop, type TrainEvent } from '../../core/rl/trainLoop';
import { DEFAULT_AGENT_TEMPLATE } from '../../core/protocol/prompt';
import { createFsCheckpointStore, loadCheckpointDir } from './fsCheckpointStore';
import { createRolloutModel, type RolloutModel } from './rolloutModel';
import { runSupervisedWarmup } from './supervisedWarmup';
import { writeJsonLine as line, type TrainIo } from './trainIo';
import { readTrainFileConfig, TRAIN_FILE_FIELDS, type TrainFileConfig } from './trainFileConfig';
import { assertTrainingFits, createCliLearner, loadInitialWeights, loadTrainModel, type TrainModel } from './trainSetup';

export const TRAIN_USAGE = `train --config FILE.json [--data-root DIR] [--checkpoint-dir DIR] [--resume DIR] [--steps N]
                                  RL (GRPO) on the offline pool with the ONNX learner; JSON lines on stdout
                                  (train describe-config: every config field; example: src/cli/train/examples/tiny.json)`;

export async function runTrainCommand(args: readonly string[], flags: ReadonlyMap<string, string>, io: TrainIo): Promise<number> {
  if (args[0] === 'describe-config') {
    for (const [field, [def, why]] of Object.entries(TRAIN_FILE_FIELDS)) io.stdout.write(`${field}\n    default: ${JSON.stringify(def)}\n    ${why}\n`);
    return 0;
  }
  const file = flags.get('config');
  if (file === undefined) {
    io.stderr.write(`Usage: npm run -s cli -- ${TRAIN_USAGE}\n`);
    return 2;
  }
  const cfg = readTrainFileConfig(file);
  const steps = flags.get('steps');
  if (steps !== undefined) cfg.run = { ...cfg.run, steps: Number(steps) };
  const checkpointDir = flags.get('checkpoint-dir') ?? cfg.checkpointDir;
  return cfg.mode === 'supervised' ? runSupervisedWarmup(cfg, { checkpointDir, io }) : runRl(cfg, flags, checkpointDir, io);
}

async function runRl(cfg: TrainFileConfig, flags: ReadonlyMap<string, string>, checkpointDir: string, io: TrainIo): Promise<number> {
  const now = io.now ?? (() => performance.now());
  const log = (s: string): void => void io.stderr.write(s + '\n');
  // 1. model, weights, learner, rollout model (a resume syncs the checkpoint's weights in before step 1)
  const model = await loadTrainModel(cfg.model.dir);
  assertTrainingFits(cfg, model.config); // before any weights, sessions or rollouts
  const weights = loadInitialWeights(cfg.model.dir, model.config, cfg.model.init);
  const learner = await createCliLearner(cfg, model, weights);
  const resume = flags.get('resume');
  const resumeFrom = resume === undefined ? undefined : loadCheckpointDir(resume);
  const rolloutModel = await createRolloutModel(weights, { config: model.config, precision: cfg.model.rolloutPrecision, eosTokenIds: model.eosTokenIds, intraOpThreads: cfg.model.threads });
  try {
    // 2. the offline pool: questions and simulated candidates
    const bank = await loadOfflineBank(createFsDataRoot(flags.get('data-root') ?? defaultDataRootDir(io.env ?? process.env)));
    const questions = trainingQuestions(bank, cfg);
    log(`train: ${model.folder.location}, ${learner.paramInfo.length} trainable tensors (${cfg.model.trainable.kind}), ${questions.length} questions, ${offlinePoolModels(bank).length} pool models`);
    const rollout = rolloutOf(cfg, model, bank, rolloutModel, now);
    // 3. the loop; every event a JSON line
    const store = createFsCheckpointStore(checkpointDir, (folder, c) => log(`checkpoint: step ${c.step} → ${folder}`));
    const deps = { learner, questions, rollout, syncWeights: () => rolloutModel.sync(learner.currentWeights()), checkpoints: store, ...(resumeFrom === undefined ? {} : { resumeFrom }), now };
    const result = await runTrainLoop(cfg.run, deps, (e) => writeTrainEvent(io, e, checkpointDir));
    return result.status === 'completed' ? 0 : 1;
  } finally {
    await rolloutModel.dispose();
    await learner.dispose();
  }
}

function trainingQuestions(bank: OfflineBank, cfg: TrainFileConfig): QuestionRecord[] {
  const questions = offlineBankQuestions(bank, { split: cfg.data.split, heldOut: 'exclude', ...(cfg.data.task === null ? {} : { task: cfg.data.task }) });
  return cfg.data.limit === null ? questions : questions.slice(0, cfg.data.limit);
}

/**
 * The rollouts: decoded as the folder asks (router.json decoding: grammar, extractive spans), so
 * exploration at temperature 1 stays inside the format; the model of the moment is the rollout model's.
 */
function rolloutOf(cfg: TrainFileConfig, model: TrainModel, bank: OfflineBank, rolloutModel: RolloutModel, now: () => number): RolloutPort {
  const { temperature, topP, topK } = cfg.rollout;
  return createOfflinePoolRollout({
    bank,
    tokenizer: model.tokenizer,
    framing: model.framing,
    model: () => rolloutModel.current(),
    policyId: cfg.run.runId,
    sampling: { temperature, topP, topK, seed: cfg.run.seed },
    decoding: folderDecodingOf(model.folder.router),
    tokenizerVocabSize: model.folder.tokenizerVocabSize,
    agentTemplate: cfg.rollout.agentTemplate ?? DEFAULT_AGENT_TEMPLATE,
    settings: cfg.rollout.settings,
    now,
  });
}

/** A loop event as a JSON line (a step's excluded rollouts as a count), and a progress line per step. */
function writeTrainEvent(io: TrainIo, e: TrainEvent, checkpointDir: string): void {
  if (e.type === 'train.step') {
    const { metrics } = e;
    line(io, { type: e.type, ...metrics, excluded: metrics.excluded.length });
    io.stderr.write(`step ${metrics.step}: reward ${metrics.rewardMean.toFixed(3)} (format errors ${(metrics.formatErrorRate * 100).toFixed(0)}%), ${metrics.timeMs.total.toFixed(0)} ms${metrics.skipped === null ? '' : `, skipped: ${metrics.skipped.reason}`}\n`);
  } else if (e.type === 'train.checkpointed') line(io, { ...e, dir: checkpointDir });
  else line(io, e);
}
