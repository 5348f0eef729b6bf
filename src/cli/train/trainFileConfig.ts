/**
 * The `cli train --config <file.json>` file: what to train (model folder, initial weights, trainable
 * set), on what (offline pool questions, or trajectories for the supervised warm-up), how (the core
 * TrainConfig under "run", defaults from DEFAULT_TRAIN_CONFIG) and how rollouts run (sampling, env
 * settings). Every field, its default and its reason are in TRAIN_FILE_FIELDS (printed by
 * `cli train --describe-config`). Validation returns every error at once, with the field's path.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEFAULT_ENV_SETTINGS, type EnvSettings } from '../../core/env/trajectory';
import { OFFLINE_TASKS, type OfflineSplit, type OfflineTask } from '../../core/offline/offlineBank';
import { createTrainConfig, validateTrainConfig, type TrainConfig } from '../../core/rl/trainConfig';
import { LINEAR_NAMES, type LinearName } from '../../core/onnx/weights';
import type { LrSchedule } from '../../core/rl/schedule';

export type WeightsInit =
  | { kind: 'seeded-random'; seed: number }
  | { kind: 'safetensors'; path: string }
  | { kind: 'folder' }
  /** (1 − weight) · model.dir's weights + weight · `with`'s (two folders of the same config), e.g. two warm-ups. */
  | { kind: 'mix'; with: string; weight: number };
export type TrainableSpec = { kind: 'full' } | { kind: 'lora'; rank: number; alpha: number; targets: LinearName[]; layers?: number[]; seed: number };

export interface TrainFileConfig {
  mode: 'rl' | 'supervised';
  run: TrainConfig;
  model: { dir: string; init: WeightsInit; trainable: TrainableSpec; rolloutPrecision: 'fp32' | 'q4'; threads: number };
  data: { split: OfflineSplit; task: OfflineTask | null; limit: number | null };
  rollout: { temperature: number; topP: number; topK: number; settings: EnvSettings; agentTemplate: string | null };
  supervised: { trajectories: string | null; epochs: number; minibatchSize: number; schedule: LrSchedule };
  checkpointDir: string;
}

/** Field → [default, why]. The documentation of the file format. */
export const TRAIN_FILE_FIELDS: Record<string, [unknown, string]> = {
  mode: ['rl', "'rl': the GRPO loop over the offline pool; 'supervised': token cross-entropy on given trajectories (warm-up)."],
  'run.*': ['DEFAULT_TRAIN_CONFIG', 'Any field of core/rl/trainConfig.ts TrainConfig (runId and seed required); see its comments for each default.'],
  'run.runId': [null, 'Required: names the checkpoints.'],
  'run.seed': [null, 'Required: questions, rollouts, minibatches and LoRA init fork from it.'],
  'model.dir': [null, 'Required: a model folder (config.json, tokenizer files, router.json); relative to the config file.'],
  'model.init': [null, "Required: {kind:'seeded-random', seed} regenerates the seeded test weights (tiny-router: 20250611; checked against onnx/model.onnx when present) , {kind:'safetensors', path} reads HF-named F32/F16/BF16 weights (e.g. a warm-up's model.safetensors) or {kind:'folder'} reads model.dir's own ONNX (onnx/model.onnx, else onnx/model_q4.onnx dequantised — what the q4 model computes with), e.g. to continue from a shipped policy such as public/models/router-nano-a0; {kind:'mix', with, weight} mixes model.dir's weights with another folder's of the same config ((1 − weight)·dir + weight·with), e.g. the two warm-ups, for a start whose routing is not yet decided (examples/alpha-shift.json)."],
  'model.trainable': [{ kind: 'full' }, "{kind:'full'} trains every weight (small models); {kind:'lora', rank, alpha, targets, layers?, seed} trains adapters on frozen weights."],
  'model.rolloutPrecision': ['fp32', "The rollout model rebuilt after each step: 'fp32' (exact, cheap to rebuild for small models) or 'q4' (quantising costs time per sync, O(params))."],
  'model.threads': [2, 'onnxruntime-node intra-op threads for training and rollouts (CI has 2 cores).'],
  'data.split': ['train', 'Offline-pool split the questions come from.'],
  'data.task': [null, "'natural_qa' or 'trivia_qa'; null = both."],
  'data.limit': [null, 'Use only the first N questions (bank order); null = all.'],
  'rollout.temperature': [1, 'Sampling temperature of rollouts (RL needs exploration: 1).'],
  'rollout.topP': [1, 'Nucleus sampling (1 = off).'],
  'rollout.topK': [0, 'Top-k sampling (0 = off).'],
  'rollout.settings': [DEFAULT_ENV_SETTINGS, 'Environment settings (maxTurns, token caps). Keep prompt + turns under the model’s max_position_embeddings.'],
  'rollout.agentTemplate': [null, 'Candidate prompt with {query}; null = the example template.'],
  'supervised.trajectories': [null, "JSONL of Trajectory records (mode 'supervised'); the policy-written turn texts are the targets, prompt and observations masked."],
  'supervised.epochs': [1, 'Passes over the trajectories.'],
  'supervised.minibatchSize': [8, 'Trajectories per update.'],
  'supervised.schedule': [{ kind: 'constant', lr: 1e-4, warmupSteps: 0 }, 'Learning rate of the warm-up (a pure function of the update index).'],
  checkpointDir: ['node_modules/.cache/router-r1-train/<runId>', 'Where checkpoints go (relative to the working directory; the default stays out of the tracked tree); --checkpoint-dir overrides.'],
};

export class TrainFileConfigError extends Error {
  override name = 'TrainFileConfigError';
  constructor(readonly errors: readonly string[], file: string) {
    super(`${file}: ${errors.join(' ')}`);
  }
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});

export function readTrainFileConfig(path: string): TrainFileConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new TrainFileConfigError([`cannot read it as JSON (${err instanceof Error ? err.message : String(err)}).`], path);
  }
  return parseTrainFileConfig(raw, dirname(resolve(path)), path);
}

/** Relative paths resolve against `baseDir` (the config file's folder). */
export function parseTrainFileConfig(raw: unknown, baseDir: string, where = 'train config'): TrainFileConfig {
  const e: string[] = [];
  const r = obj(raw);
  const run = obj(r['run']);
  const model = obj(r['model']);
  const data = obj(r['data']);
  const rollout = obj(r['rollout']);
  const sup = obj(r['supervised']);
  const mode = r['mode'] ?? 'rl';
  if (mode !== 'rl' && mode !== 'supervised') e.push(`mode must be 'rl' or 'supervised', got ${JSON.stringify(mode)}.`);
  if (typeof run['runId'] !== 'string' || typeof run['seed'] !== 'number') e.push('run.runId (string) and run.seed (integer) are required.');
  const cfg = createTrainConfig({ ...(run as Partial<TrainConfig>), runId: String(run['runId'] ?? ''), seed: Number(run['seed']) });
  e.push(...validateTrainConfig(cfg).map((m) => `run: ${m}`));
  if (typeof model['dir'] !== 'string') e.push('model.dir (a model folder) is required.');
  const init = obj(model['init']);
  let weightsInit: WeightsInit = { kind: 'seeded-random', seed: 0 };
  if (init['kind'] === 'seeded-random' && Number.isSafeInteger(init['seed'])) weightsInit = { kind: 'seeded-random', seed: init['seed'] as number };
  else if (init['kind'] === 'safetensors' && typeof init['path'] === 'string') weightsInit = { kind: 'safetensors', path: resolve(baseDir, init['path']) };
  else if (init['kind'] === 'folder') weightsInit = { kind: 'folder' };
  else if (init['kind'] === 'mix' && typeof init['with'] === 'string' && typeof init['weight'] === 'number' && init['weight'] >= 0 && init['weight'] <= 1) {
    weightsInit = { kind: 'mix', with: resolve(baseDir, init['with']), weight: init['weight'] };
  } else e.push("model.init must be {kind:'seeded-random', seed}, {kind:'safetensors', path}, {kind:'folder'} or {kind:'mix', with: <folder>, weight: 0…1}.");
  const t = obj(model['trainable'] ?? { kind: 'full' });
  let trainable: TrainableSpec = { kind: 'full' };
  if (t['kind'] === 'lora') {
    const targets = (Array.isArray(t['targets']) ? t['targets'] : ['q_proj', 'v_proj']) as LinearName[];
    if (targets.some((x) => !LINEAR_NAMES.includes(x))) e.push(`model.trainable.targets must be among ${LINEAR_NAMES.join(', ')}.`);
    trainable = { kind: 'lora', rank: Number(t['rank'] ?? 8), alpha: Number(t['alpha'] ?? 16), targets, seed: Number(t['seed'] ?? cfg.seed), ...(Array.isArray(t['layers']) ? { layers: t['layers'] as number[] } : {}) };
  } else if (t['kind'] !== 'full') e.push("model.trainable.kind must be 'full' or 'lora'.");
  const precision = model['rolloutPrecision'] ?? 'fp32';
  if (precision !== 'fp32' && precision !== 'q4') e.push("model.rolloutPrecision must be 'fp32' or 'q4'.");
  const task = data['task'] ?? null;
  if (task !== null && !OFFLINE_TASKS.includes(task as OfflineTask)) e.push(`data.task must be one of ${OFFLINE_TASKS.join(', ')} or null.`);
  const split = data['split'] ?? 'train';
  if (split !== 'train' && split !== 'test') e.push("data.split must be 'train' or 'test'.");
  const trajectories = typeof sup['trajectories'] === 'string' ? resolve(baseDir, sup['trajectories']) : null;
  if (mode === 'supervised' && trajectories === null) e.push("mode 'supervised' needs supervised.trajectories (a JSONL file of Trajectory records).");
  if (e.length > 0) throw new TrainFileConfigError(e, where);
  return {
    mode: mode as 'rl' | 'supervised',
    run: cfg,
    model: { dir: resolve(baseDir, model['dir'] as string), init: weightsInit, trainable, rolloutPrecision: precision as 'fp32' | 'q4', threads: Number(model['threads'] ?? 2) },
    data: { split: split as OfflineSplit, task: task as OfflineTask | null, limit: typeof data['limit'] === 'number' ? data['limit'] : null },
    rollout: {
      temperature: Number(rollout['temperature'] ?? 1),
      topP: Number(rollout['topP'] ?? 1),
      topK: Number(rollout['topK'] ?? 0),
      settings: { ...DEFAULT_ENV_SETTINGS, ...(obj(rollout['settings']) as Partial<EnvSettings>) },
      agentTemplate: typeof rollout['agentTemplate'] === 'string' ? rollout['agentTemplate'] : null,
    },
    supervised: {
      trajectories,
      epochs: Number(sup['epochs'] ?? 1),
      minibatchSize: Number(sup['minibatchSize'] ?? 8),
      schedule: (sup['schedule'] as LrSchedule | undefined) ?? { kind: 'constant', lr: 1e-4, warmupSteps: 0 },
    },
    checkpointDir: typeof r['checkpointDir'] === 'string' ? r['checkpointDir'] : `node_modules/.cache/router-r1-train/${cfg.runId}`,
  };
}
