/**
 * A Hugging Face safetensors checkpoint folder opened for streaming: config.json parsed, the single
 * `model.safetensors` or the shards of `model.safetensors.index.json` indexed by tensor name (headers
 * only), so each tensor is read when it is needed and dropped after. What the converter reads from.
 *
 * Not for: the tokenizer files or writing anything (convert.ts).
 */
import { parseDecoderConfig, type DecoderConfig } from '../onnx/decoderConfig';
import type { WeightTensor } from '../onnx/weights';
import { openByteSource, ModelSourceError, type ByteSource, type ModelSource } from './modelSource';
import {
  parseSafetensorsIndex,
  readFloatTensor,
  readSafetensorsHeader,
  SAFETENSORS_FILE,
  SAFETENSORS_INDEX_FILE,
  type SafetensorsEntry,
} from './safetensors';

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

export interface CheckpointTensor {
  file: string;
  entry: SafetensorsEntry;
  source: ByteSource;
}

export interface OpenedCheckpoint {
  location: string;
  /** config.json as written (copied verbatim into the converted folder). */
  configText: string;
  config: DecoderConfig;
  /** Safetensors files, in the order they are listed. */
  files: string[];
  tensors: ReadonlyMap<string, CheckpointTensor>;
  /** One tensor as float32, read when asked (one range read). */
  readTensor(name: string, opts?: { signal?: AbortSignal }): Promise<WeightTensor>;
}

async function readJson(source: ModelSource, path: string, signal: AbortSignal | undefined): Promise<{ text: string; json: unknown }> {
  const text = await source.readText(path, signal === undefined ? {} : { signal });
  try {
    return { text, json: JSON.parse(text) };
  } catch (err) {
    throw new CheckpointError(`${source.location}/${path} is not valid JSON (${err instanceof Error ? err.message : String(err)}); the download may be truncated.`);
  }
}

/** Which safetensors files hold the weights: the index's shards, else the single file. */
async function listWeightFiles(source: ModelSource, signal: AbortSignal | undefined): Promise<{ files: string[]; weightMap: Map<string, string> | null }> {
  if (await source.exists(SAFETENSORS_INDEX_FILE, signal === undefined ? {} : { signal })) {
    const weightMap = parseSafetensorsIndex((await readJson(source, SAFETENSORS_INDEX_FILE, signal)).json);
    return { files: [...new Set(weightMap.values())], weightMap };
  }
  if (await source.exists(SAFETENSORS_FILE, signal === undefined ? {} : { signal })) return { files: [SAFETENSORS_FILE], weightMap: null };
  throw new CheckpointError(
    `${source.location} has neither ${SAFETENSORS_FILE} nor ${SAFETENSORS_INDEX_FILE}. Point at a Hugging Face checkpoint folder ` +
      '(the one with config.json and the .safetensors weights; PyTorch .bin checkpoints must be re-saved as safetensors first).',
  );
}

/** Open a checkpoint: parse config.json and every shard's header (no tensor data is read yet). */
export async function openCheckpoint(source: ModelSource, opts: { signal?: AbortSignal } = {}): Promise<OpenedCheckpoint> {
  const { signal } = opts;
  let configFile: { text: string; json: unknown };
  try {
    configFile = await readJson(source, 'config.json', signal);
  } catch (err) {
    if (err instanceof ModelSourceError && err.missing) throw new CheckpointError(`${source.location} has no config.json; is it a Hugging Face model folder?`);
    throw err;
  }
  const config = parseDecoderConfig(configFile.json);
  const { files, weightMap } = await listWeightFiles(source, signal);
  const tensors = new Map<string, CheckpointTensor>();
  for (const file of files) {
    let bytes: ByteSource;
    try {
      bytes = await openByteSource(source, file, signal === undefined ? {} : { signal });
    } catch (err) {
      if (err instanceof ModelSourceError && err.missing) throw new CheckpointError(`${source.location}/${file} is listed in ${SAFETENSORS_INDEX_FILE} but missing; download the whole checkpoint.`);
      throw err;
    }
    const header = await readSafetensorsHeader(bytes, file, signal === undefined ? {} : { signal });
    for (const entry of header.tensors) {
      if (weightMap !== null && weightMap.get(entry.name) !== file) continue; // the index decides which shard owns a name
      tensors.set(entry.name, { file, entry, source: bytes });
    }
  }
  if (weightMap !== null) {
    for (const [name, file] of weightMap) {
      if (!tensors.has(name)) throw new CheckpointError(`${SAFETENSORS_INDEX_FILE} puts "${name}" in ${file}, but that shard does not hold it; the checkpoint is incomplete.`);
    }
  }
  return {
    location: source.location,
    configText: configFile.text,
    config,
    files,
    tensors,
    async readTensor(name, o = {}) {
      const t = tensors.get(name);
      if (t === undefined) throw new CheckpointError(`The checkpoint has no tensor "${name}", which config.json requires; check that the weights match config.json.`);
      return readFloatTensor(t.source, t.entry, o);
    },
  };
}
