/**
 * RL checkpoints (core/rl/checkpointStore.ts) on the file system, for `cli train`:
 *
 *   <dir>/step-000010/weights.safetensors     the trainable tensors (full: HF-named weights; LoRA: adapters; PPO: + value_head.*), F32
 *   <dir>/step-000010/optimizer.safetensors   AdamW moments m.<name>, v.<name> (F32; as JSON they would be
 *                                              ~3× larger and slow to parse for real models)
 *   <dir>/step-000010/state.json              version, runId, seed, step, reason, config, optimizer step,
 *                                              questions rng, cost window, metrics, savedAtMs
 *   <dir>/latest                              the name of the newest step folder
 *
 * A step folder is written completely before `latest` points at it, so a crash mid-save leaves the
 * previous checkpoint intact. `loadCheckpointDir` accepts the root or a step folder.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSafetensorsHeaderJson, decodeFloatTensor, writeSafetensors, type TensorToWrite } from '../../core/model/safetensors';
import type { AdamWState } from '../../core/learner/adamw';
import { TRAIN_CHECKPOINT_VERSION, type CheckpointStore, type TrainCheckpoint } from '../../core/rl/checkpointStore';
import type { ParamMap } from '../../core/learner/paramMap';

export class CheckpointDirError extends Error {
  override name = 'CheckpointDirError';
}

type CheckpointState = Omit<TrainCheckpoint, 'params' | 'optimizer'> & { optimizerStep: number };

const tensors = (map: ParamMap, prefix = ''): TensorToWrite[] => [...map].map(([name, data]) => ({ name: prefix + name, shape: [data.length], data }));

/** Reads every F32 tensor of a safetensors file, in file order (shapes flattened: params are flat here). */
export function readSafetensorsFile(path: string): Map<string, Float32Array> {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  const header = parseSafetensorsHeaderJson(JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))), 8 + n, path);
  const out = new Map<string, Float32Array>();
  for (const e of header.tensors) out.set(e.name, decodeFloatTensor(e, new Uint8Array(bytes.subarray(e.begin, e.end))).data);
  return out;
}

export function stepFolderName(step: number): string {
  return `step-${String(step).padStart(6, '0')}`;
}

export function saveCheckpointDir(dir: string, c: TrainCheckpoint): string {
  const name = stepFolderName(c.step);
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'weights.safetensors'), writeSafetensors(tensors(c.params), { format: 'router-r1-train', runId: c.runId, step: String(c.step) }));
  writeFileSync(join(folder, 'optimizer.safetensors'), writeSafetensors([...tensors(c.optimizer.m, 'm.'), ...tensors(c.optimizer.v, 'v.')], { step: String(c.optimizer.step) }));
  const { params: _p, optimizer, ...rest } = c;
  const state: CheckpointState = { ...rest, optimizerStep: optimizer.step };
  writeFileSync(join(folder, 'state.json'), JSON.stringify(state, null, 1) + '\n');
  writeFileSync(join(dir, 'latest.tmp'), name + '\n');
  renameSync(join(dir, 'latest.tmp'), join(dir, 'latest'));
  return folder;
}

/** A checkpoint from `<dir>` (its `latest`) or from a step folder. */
export function loadCheckpointDir(dir: string): TrainCheckpoint {
  let folder = dir;
  if (!existsSync(join(folder, 'state.json'))) {
    if (!existsSync(join(dir, 'latest'))) throw new CheckpointDirError(`${dir} holds no checkpoint (no state.json and no latest); pass the --checkpoint-dir of an earlier run or one of its step-* folders.`);
    folder = join(dir, readFileSync(join(dir, 'latest'), 'utf8').trim());
  }
  const state = JSON.parse(readFileSync(join(folder, 'state.json'), 'utf8')) as CheckpointState;
  if (state.version !== TRAIN_CHECKPOINT_VERSION) throw new CheckpointDirError(`${folder}: checkpoint version ${String(state.version)} is not supported (expected ${TRAIN_CHECKPOINT_VERSION}).`);
  const params = readSafetensorsFile(join(folder, 'weights.safetensors'));
  const moments = readSafetensorsFile(join(folder, 'optimizer.safetensors'));
  const pick = (prefix: string): ParamMap => new Map([...params.keys()].map((k) => [k, moments.get(prefix + k) ?? new Float32Array(0)]));
  const optimizer: AdamWState = { step: state.optimizerStep, m: pick('m.'), v: pick('v.') };
  const { optimizerStep: _s, ...rest } = state;
  return { ...rest, params, optimizer };
}

export function createFsCheckpointStore(dir: string, onSaved?: (folder: string, c: TrainCheckpoint) => void): CheckpointStore {
  return {
    async save(c) {
      const folder = saveCheckpointDir(dir, c);
      onSaved?.(folder, c);
    },
    async load() {
      return existsSync(join(dir, 'latest')) ? loadCheckpointDir(dir) : undefined;
    },
  };
}
