/**
 * The safetensors format (https://github.com/huggingface/safetensors), read tensor by tensor through a
 * byte-range port so a multi-GB checkpoint never sits in memory at once, and written for tests and for
 * our own checkpoints:
 *
 *   [0, 8)          N, the header length: unsigned 64-bit little-endian
 *   [8, 8 + N)      JSON: { "<tensor>": { "dtype": "BF16", "shape": [..], "data_offsets": [begin, end] },
 *                           "__metadata__": { "<key>": "<string>" } }   (padded with spaces)
 *   [8 + N, …)      the data section; offsets are relative to its start, tensors are row-major little-endian
 *
 * Sharded checkpoints add `model.safetensors.index.json` with `weight_map: { "<tensor>": "<shard file>" }`.
 * Only F32, F16 and BF16 tensors convert to float32 (every Qwen2/Llama checkpoint); other dtypes may sit
 * in the file and are refused only when read.
 */
import { bfloat16BytesToFloat32, float32BytesToFloat32, float32ToHalfBytes, halfBytesToFloat32 } from './floatFormats';
import type { ByteSource } from './modelSource';
import type { WeightTensor } from '../onnx/weights';

export const SAFETENSORS_DTYPE_BYTES = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1, F8_E4M3: 1, F8_E5M2: 1,
} as const;
export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPE_BYTES;
export type FloatDtype = 'F32' | 'F16' | 'BF16';

/** safetensors' own cap on the header (100 MB): a bigger length means the file is not safetensors. */
export const MAX_HEADER_BYTES = 100_000_000;

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Absolute byte offsets in the file: [begin, end). */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** In file order. */
  tensors: SafetensorsEntry[];
  metadata: Record<string, string>;
  /** 8 + N: where the data section starts. */
  dataStart: number;
  /** The file size the header implies (the end of the last tensor). */
  requiredBytes: number;
}

const isDtype = (d: unknown): d is SafetensorsDtype => typeof d === 'string' && Object.hasOwn(SAFETENSORS_DTYPE_BYTES, d);

/** Read and validate the header. `file` names the file in messages. Throws `SafetensorsError`. */
export async function readSafetensorsHeader(source: ByteSource, file = 'model.safetensors', opts: { signal?: AbortSignal } = {}): Promise<SafetensorsHeader> {
  if (source.size < 8) throw new SafetensorsError(`${file} is ${source.size} bytes, too short for a safetensors header: the download is truncated. Delete it and download it again.`);
  const lengthBytes = await source.read(0, 8, opts);
  const view = new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 8);
  const headerLength = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLength > MAX_HEADER_BYTES) throw new SafetensorsError(`${file} declares a ${headerLength}-byte header: it is not a safetensors file.`);
  if (8 + headerLength > source.size) {
    throw new SafetensorsError(`${file} is truncated: its header needs ${8 + headerLength} bytes, the file has ${source.size}. Delete it and download it again.`);
  }
  const text = new TextDecoder().decode(await source.read(8, headerLength, opts));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SafetensorsError(`${file}: the header is not valid JSON (${err instanceof Error ? err.message : String(err)}); the file is corrupt or not safetensors.`);
  }
  const header = parseSafetensorsHeaderJson(json, 8 + headerLength, file);
  if (header.requiredBytes > source.size) {
    throw new SafetensorsError(
      `${file} is truncated: its tensors need ${header.requiredBytes} bytes, the file has ${source.size}. Delete it and download it again.`,
    );
  }
  return header;
}

/** Validate a parsed header object; offsets become absolute (dataStart + data_offsets). */
export function parseSafetensorsHeaderJson(json: unknown, dataStart: number, file = 'model.safetensors'): SafetensorsHeader {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new SafetensorsError(`${file}: the header must be a JSON object.`);
  const tensors: SafetensorsEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(raw, file);
      continue;
    }
    const bad = (why: string): SafetensorsError => new SafetensorsError(`${file}: tensor "${name}" ${why}; the file is corrupt.`);
    if (typeof raw !== 'object' || raw === null) throw bad('has no description');
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (!isDtype(dtype)) throw bad(`has unknown dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) throw bad('has an invalid shape');
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)) throw bad('has invalid data_offsets');
    const [begin, end] = offsets as [number, number];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end < begin || end - begin !== count * SAFETENSORS_DTYPE_BYTES[dtype]) {
      throw bad(`spans ${end - begin} bytes but shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${count * SAFETENSORS_DTYPE_BYTES[dtype]}`);
    }
    tensors.push({ name, dtype, shape: shape as number[], begin: dataStart + begin, end: dataStart + end });
  }
  const byOffset = [...tensors].sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1] as SafetensorsEntry;
    const cur = byOffset[i] as SafetensorsEntry;
    if (cur.begin < prev.end) throw new SafetensorsError(`${file}: tensors "${prev.name}" and "${cur.name}" overlap; the file is corrupt.`);
  }
  const requiredBytes = byOffset.reduce((m, t) => Math.max(m, t.end), dataStart);
  return { tensors, metadata, dataStart, requiredBytes };
}

function parseMetadata(raw: unknown, file: string): Record<string, string> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SafetensorsError(`${file}: __metadata__ must be an object of strings.`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'string') throw new SafetensorsError(`${file}: __metadata__.${k} must be a string.`);
    out[k] = v;
  }
  return out;
}

/** A tensor's stored bytes → float32. F32/F16/BF16 only. */
export function decodeFloatTensor(entry: Pick<SafetensorsEntry, 'name' | 'dtype' | 'shape'>, bytes: Uint8Array): WeightTensor {
  switch (entry.dtype) {
    case 'F32':
      return { data: float32BytesToFloat32(bytes), shape: entry.shape };
    case 'F16':
      return { data: halfBytesToFloat32(bytes), shape: entry.shape };
    case 'BF16':
      return { data: bfloat16BytesToFloat32(bytes), shape: entry.shape };
    default:
      throw new SafetensorsError(`Tensor "${entry.name}" is ${entry.dtype}; only F32, F16 and BF16 weights can be converted.`);
  }
}

/** Read one tensor (one range request / one file read) and convert it to float32. */
export async function readFloatTensor(source: ByteSource, entry: SafetensorsEntry, opts: { signal?: AbortSignal } = {}): Promise<WeightTensor> {
  if (entry.dtype !== 'F32' && entry.dtype !== 'F16' && entry.dtype !== 'BF16') return decodeFloatTensor(entry, new Uint8Array());
  return decodeFloatTensor(entry, await source.read(entry.begin, entry.end - entry.begin, opts));
}

/** Stream the named tensors (default: all, in file order), one at a time. */
export async function* readSafetensors(
  source: ByteSource,
  header: SafetensorsHeader,
  opts: { names?: ReadonlySet<string>; signal?: AbortSignal } = {},
): AsyncGenerator<{ name: string; tensor: WeightTensor; bytes: number }> {
  for (const entry of header.tensors) {
    if (opts.names !== undefined && !opts.names.has(entry.name)) continue;
    opts.signal?.throwIfAborted();
    yield { name: entry.name, tensor: await readFloatTensor(source, entry, opts.signal === undefined ? {} : { signal: opts.signal }), bytes: entry.end - entry.begin };
  }
}

// --- sharded checkpoints ---------------------------------------------------------------------

export const SAFETENSORS_FILE = 'model.safetensors';
export const SAFETENSORS_INDEX_FILE = 'model.safetensors.index.json';

/** `model.safetensors.index.json` → tensor name → shard file. */
export function parseSafetensorsIndex(json: unknown): Map<string, string> {
  const map = (json as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new SafetensorsError(`${SAFETENSORS_INDEX_FILE} has no "weight_map" object; the file is corrupt.`);
  }
  const out = new Map<string, string>();
  for (const [name, file] of Object.entries(map as Record<string, unknown>)) {
    if (typeof file !== 'string' || !file.endsWith('.safetensors') || file.includes('..')) {
      throw new SafetensorsError(`${SAFETENSORS_INDEX_FILE}: tensor "${name}" maps to ${JSON.stringify(file)}, not a .safetensors file in the folder.`);
    }
    out.set(name, file);
  }
  return out;
}

// --- writing ---------------------------------------------------------------------------------

export interface TensorToWrite {
  name: string;
  shape: readonly number[];
  data: Float32Array;
  /** Stored dtype (default F32); F16/BF16 round to nearest even. */
  dtype?: FloatDtype;
}

/**
 * A safetensors file as chunks (header, then each tensor's bytes; concatenate or stream them).
 * Tensors are stored in the order given; the header is padded with spaces to a multiple of 8.
 */
export function writeSafetensorsChunks(tensors: Iterable<TensorToWrite>, metadata: Record<string, string> = {}): Uint8Array[] {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header['__metadata__'] = metadata;
  const payloads: Uint8Array[] = [];
  let offset = 0;
  for (const t of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new SafetensorsError(`Tensor "${t.name}": shape [${t.shape.join(', ')}] needs ${count} values, got ${t.data.length}.`);
    const dtype = t.dtype ?? 'F32';
    const bytes = dtype === 'F32' ? new Uint8Array(Float32Array.from(t.data).buffer) : float32ToHalfBytes(t.data, dtype === 'F16' ? 'f16' : 'bf16');
    header[t.name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes.byteLength] };
    payloads.push(bytes);
    offset += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  const jsonBytes = new TextEncoder().encode(json);
  json += ' '.repeat((8 - (jsonBytes.byteLength % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setUint32(0, headerBytes.byteLength, true);
  return [prefix, headerBytes, ...payloads];
}

/** A safetensors file as one array (tests, small checkpoints). */
export function writeSafetensors(tensors: Iterable<TensorToWrite>, metadata: Record<string, string> = {}): Uint8Array {
  const chunks = writeSafetensorsChunks(tensors, metadata);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
