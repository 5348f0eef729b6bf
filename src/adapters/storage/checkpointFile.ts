/**
 * The export file of an RL checkpoint: ONE safetensors file (readable by any safetensors tool)
 *   tensors    params.<name>, adam.m.<name>, adam.v.<name>   F32, flat, in the params' order
 *   metadata   format = 'router-r1-studio.train-checkpoint', version, and `state`: the JSON part of the
 *              checkpoint (config, seed, step, rng snapshot, cost window, metrics, optimizer step, run setup)
 * Chosen over a JSON file with base64 numbers (~1.4× larger, slow to parse for real models) and over a
 * safetensors + JSON pair (two files to keep together). Import validates everything and says what is wrong.
 */
import { decodeFloatTensor, parseSafetensorsHeaderJson, writeSafetensors, type TensorToWrite } from '../../core/model/safetensors';
import { TRAIN_CHECKPOINT_VERSION, type TrainCheckpoint } from '../../core/rl/checkpointStore';
import type { ParamMap } from '../../core/learner/paramMap';
import type { TrainRunSetup } from '../../core/engine';
import type { StoredCheckpointMeta } from './idbCheckpointStore';

export const CHECKPOINT_FILE_FORMAT = 'router-r1-studio.train-checkpoint';

export class CheckpointFileError extends Error {
  override name = 'CheckpointFileError';
}

type FileState = Omit<StoredCheckpointMeta, 'id' | 'savedAtEpochMs' | 'tensorBytes'>;

export function checkpointFileName(c: Pick<TrainCheckpoint, 'runId' | 'step'>): string {
  return `${c.runId.replace(/[^\w.-]+/g, '_')}-step-${c.step}.checkpoint.safetensors`;
}

export function writeCheckpointFile(c: TrainCheckpoint, setup: TrainRunSetup): Uint8Array {
  const { params, optimizer, ...rest } = c;
  const state: FileState = { ...rest, optimizerStep: optimizer.step, setup };
  const tensors: TensorToWrite[] = [];
  const add = (prefix: string, map: ParamMap): void => {
    for (const [name, data] of map) tensors.push({ name: prefix + name, shape: [data.length], data });
  };
  add('params.', params);
  add('adam.m.', optimizer.m);
  add('adam.v.', optimizer.v);
  return writeSafetensors(tensors, { format: CHECKPOINT_FILE_FORMAT, version: String(TRAIN_CHECKPOINT_VERSION), state: JSON.stringify(state) });
}

export function readCheckpointFile(bytes: Uint8Array, file = 'the checkpoint file'): { checkpoint: TrainCheckpoint; setup: TrainRunSetup } {
  if (bytes.byteLength < 8) throw new CheckpointFileError(`${file} is too short to be a checkpoint (export one from the Train view).`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (8 + n > bytes.byteLength) throw new CheckpointFileError(`${file} is not a safetensors file (its header length is ${n} bytes).`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch {
    throw new CheckpointFileError(`${file} is not a safetensors file (its header is not JSON).`);
  }
  const header = parseSafetensorsHeaderJson(json, 8 + n, file);
  if (header.metadata['format'] !== CHECKPOINT_FILE_FORMAT) throw new CheckpointFileError(`${file} is a safetensors file but not a training checkpoint (metadata format "${header.metadata['format'] ?? 'none'}"); export a checkpoint from the Train view.`);
  if (header.metadata['version'] !== String(TRAIN_CHECKPOINT_VERSION)) throw new CheckpointFileError(`${file} has checkpoint version ${header.metadata['version'] ?? '?'}; this app reads version ${TRAIN_CHECKPOINT_VERSION}.`);
  if (header.requiredBytes > bytes.byteLength) throw new CheckpointFileError(`${file} is truncated: ${bytes.byteLength} of ${header.requiredBytes} bytes.`);
  const state = JSON.parse(header.metadata['state'] ?? 'null') as FileState | null;
  if (state === null || typeof state.runId !== 'string' || !Number.isInteger(state.step) || typeof state.config !== 'object' || state.setup === undefined) throw new CheckpointFileError(`${file} has no valid checkpoint state in its metadata.`);
  const params: ParamMap = new Map();
  const m: ParamMap = new Map();
  const v: ParamMap = new Map();
  for (const e of header.tensors) {
    const data = decodeFloatTensor(e, bytes.subarray(e.begin, e.end)).data;
    if (e.name.startsWith('params.')) params.set(e.name.slice(7), data);
    else if (e.name.startsWith('adam.m.')) m.set(e.name.slice(7), data);
    else if (e.name.startsWith('adam.v.')) v.set(e.name.slice(7), data);
  }
  for (const name of params.keys()) if (!m.has(name) || !v.has(name)) throw new CheckpointFileError(`${file} lacks the optimizer moments of "${name}".`);
  const { optimizerStep, setup, ...rest } = state;
  return { checkpoint: { ...rest, params, optimizer: { step: optimizerStep, m, v } }, setup };
}
