/**
 * Where a model folder's files come from (DESIGN.md §3 "Sources"): the ports every loader and the
 * converter read through, so the same code serves the embedded folder, a URL prefix (a Hugging Face
 * `resolve/main/` URL included), a picked or dropped folder, the node file system and the cache.
 *
 *   ModelSource  whole files by relative path ('config.json', 'onnx/model_q4.onnx'), with progress and abort
 *   ByteSource   byte ranges of one file, so a multi-GB safetensors file is read tensor by tensor
 *   ModelSink    where a converted folder is written, file by file, as chunks (never one giant array)
 *
 * Not for: parsing any file (safetensors.ts, modelFolder.ts) or network/storage code (adapters).
 */

export interface ReadProgress {
  path: string;
  loadedBytes: number;
  /** Undefined when the server sends no length. */
  totalBytes: number | undefined;
}

export interface ReadOptions {
  onProgress?: (p: ReadProgress) => void;
  signal?: AbortSignal;
}

/** Random access to one file's bytes. */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number, opts?: { signal?: AbortSignal }): Promise<Uint8Array>;
}

export interface ModelSource {
  /** For messages: a folder path, a URL prefix, "picked folder", … */
  readonly location: string;
  readText(path: string, opts?: ReadOptions): Promise<string>;
  readBytes(path: string, opts?: ReadOptions): Promise<Uint8Array>;
  exists(path: string, opts?: { signal?: AbortSignal }): Promise<boolean>;
  /** Byte-range access; sources without it are read whole (see `openByteSource`). */
  openBytes?(path: string, opts?: { signal?: AbortSignal }): Promise<ByteSource>;
}

export interface ModelSink {
  readonly location: string;
  /** Write one file from its chunks, in order; the chunks may be large views that must not be concatenated. */
  writeFile(path: string, chunks: readonly Uint8Array[], opts?: { signal?: AbortSignal }): Promise<void>;
}

export class ModelSourceError extends Error {
  override name = 'ModelSourceError';
  /** True when the file is absent (404, ENOENT, not in the picked folder), as opposed to unreadable. */
  readonly missing: boolean;

  constructor(message: string, opts: { missing?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.missing = opts.missing ?? false;
  }
}

/** A ByteSource over bytes already in memory. */
export function memoryByteSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.byteLength,
    read: async (offset, length) => {
      if (offset < 0 || length < 0 || offset + length > bytes.byteLength) {
        throw new ModelSourceError(`Read of ${length} bytes at ${offset} is past the end of a ${bytes.byteLength}-byte file: it is truncated.`);
      }
      return bytes.subarray(offset, offset + length);
    },
  };
}

/** The source's byte-range reader, or the whole file read once when the source cannot do ranges. */
export async function openByteSource(source: ModelSource, path: string, opts: ReadOptions = {}): Promise<ByteSource> {
  if (source.openBytes !== undefined) return source.openBytes(path, opts.signal === undefined ? {} : { signal: opts.signal });
  return memoryByteSource(await source.readBytes(path, opts));
}

/** 'onnx/../x' and absolute paths are refused: a model folder is read only inside itself. */
export function normalizeModelPath(path: string): string {
  const parts = path.replace(/\\/g, '/').split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..') || path.startsWith('/')) throw new ModelSourceError(`"${path}" is not a path inside the model folder.`);
  return parts.join('/');
}

const utf8 = new TextDecoder();

/**
 * A source over files held in memory (path → bytes or text): dropped files already read, test fixtures,
 * a converted folder before it is cached, and the memory fallback when storage is full.
 */
export function createMemoryModelSource(files: ReadonlyMap<string, Uint8Array | string> | Record<string, Uint8Array | string>, location = 'memory'): ModelSource {
  const map = new Map<string, Uint8Array | string>(files instanceof Map ? files : Object.entries(files));
  const get = (path: string): Uint8Array | string => {
    const file = map.get(normalizeModelPath(path));
    if (file === undefined) throw new ModelSourceError(`${path} is not in ${location}.`, { missing: true });
    return file;
  };
  const bytesOf = (path: string): Uint8Array => {
    const f = get(path);
    return typeof f === 'string' ? new TextEncoder().encode(f) : f;
  };
  return {
    location,
    readText: async (path) => {
      const f = get(path);
      return typeof f === 'string' ? f : utf8.decode(f);
    },
    readBytes: async (path, opts = {}) => {
      opts.signal?.throwIfAborted();
      const b = bytesOf(path);
      opts.onProgress?.({ path, loadedBytes: b.byteLength, totalBytes: b.byteLength });
      return b;
    },
    exists: async (path) => map.has(normalizeModelPath(path)),
    openBytes: async (path) => memoryByteSource(bytesOf(path)),
  };
}

/** A sink that keeps the written files in memory (tests; the browser converter before caching). */
export function createMemoryModelSink(location = 'memory'): ModelSink & { files: Map<string, Uint8Array> } {
  const files = new Map<string, Uint8Array>();
  return {
    location,
    files,
    writeFile: async (path, chunks, opts = {}) => {
      opts.signal?.throwIfAborted();
      files.set(normalizeModelPath(path), concatBytes(chunks));
    },
  };
}

/** Concatenate chunks into one array (only for files known to be small, or in tests). */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const c of chunks) total += c.byteLength;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
