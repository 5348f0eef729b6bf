/**
 * A model folder the user picked (`<input type="file" webkitdirectory>`) or dropped: files mapped by
 * their path inside the folder, read on demand — whole files through `Blob.stream()` with progress, byte
 * ranges through `Blob.slice()` (so converting a dropped multi-GB checkpoint reads one tensor at a time).
 *
 * Not for: URL folders (browserModelSources.ts) or keeping anything (modelCache.ts).
 */
import { memoryByteSource, ModelSourceError, normalizeModelPath, type ModelSource, type ReadOptions } from '../../core/model/modelSource';

export interface PickedFile {
  /** Path inside the model folder ('onnx/model_q4.onnx'). */
  path: string;
  file: Blob;
}

/** Drop the shared top folder ('tiny-router/config.json' → 'config.json') when every path has it. */
export function stripCommonFolder(paths: readonly string[]): string[] {
  const firsts = new Set(paths.map((p) => (p.includes('/') ? p.slice(0, p.indexOf('/')) : '')));
  const [only] = firsts;
  return firsts.size === 1 && only !== undefined && only !== '' ? paths.map((p) => p.slice(only.length + 1)) : [...paths];
}

/** From an <input type="file"> list (webkitRelativePath when a folder was picked, else the bare names). */
export function filesFromFileList(files: ArrayLike<File>): PickedFile[] {
  const list = Array.from(files);
  const paths = stripCommonFolder(list.map((f) => (f.webkitRelativePath !== '' ? f.webkitRelativePath : f.name)));
  return list.map((file, i) => ({ path: paths[i] ?? file.name, file }));
}

/** The parts of the FileSystem entry API a drop gives us (typed minimally so tests can fake them). */
export interface DroppedEntry {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  file?(ok: (f: File) => void, fail: (e: unknown) => void): void;
  createReader?(): { readEntries(ok: (entries: DroppedEntry[]) => void, fail: (e: unknown) => void): void };
}

/** Walk dropped entries (files and folders) into paths; a single dropped folder becomes the root. */
export async function filesFromDroppedEntries(entries: readonly DroppedEntry[]): Promise<PickedFile[]> {
  const out: PickedFile[] = [];
  const walk = async (entry: DroppedEntry, prefix: string): Promise<void> => {
    if (entry.isFile && entry.file !== undefined) {
      const read = entry.file.bind(entry);
      out.push({ path: prefix + entry.name, file: await new Promise<File>((ok, fail) => read(ok, fail)) });
    } else if (entry.isDirectory && entry.createReader !== undefined) {
      const reader = entry.createReader();
      // readEntries returns batches (≤ 100 in Chromium) until an empty one
      for (;;) {
        const batch = await new Promise<DroppedEntry[]>((ok, fail) => reader.readEntries(ok, fail));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
      }
    }
  };
  for (const e of entries) await walk(e, '');
  const paths = stripCommonFolder(out.map((f) => f.path));
  return out.map((f, i) => ({ path: paths[i] ?? f.path, file: f.file }));
}

/** From a drop event's DataTransfer items. */
export async function filesFromDataTransfer(items: DataTransferItemList): Promise<PickedFile[]> {
  const entries: DroppedEntry[] = [];
  for (const item of Array.from(items)) {
    const entry = item.kind === 'file' ? item.webkitGetAsEntry() : null;
    if (entry !== null) entries.push(entry as unknown as DroppedEntry);
  }
  return filesFromDroppedEntries(entries);
}

async function readBlob(blob: Blob, path: string, opts: ReadOptions): Promise<Uint8Array> {
  opts.signal?.throwIfAborted();
  if (typeof blob.stream !== 'function') {
    // older engines (and jsdom) have no Blob.stream: one read, one progress event
    const whole = new Uint8Array(await blob.arrayBuffer());
    opts.onProgress?.({ path, loadedBytes: whole.byteLength, totalBytes: blob.size });
    return whole;
  }
  const out = new Uint8Array(blob.size);
  const reader = blob.stream().getReader();
  let loaded = 0;
  try {
    for (;;) {
      opts.signal?.throwIfAborted();
      const { done, value } = await reader.read();
      if (done) break;
      out.set(value, loaded);
      loaded += value.byteLength;
      opts.onProgress?.({ path, loadedBytes: loaded, totalBytes: blob.size });
    }
  } finally {
    reader.releaseLock();
  }
  return out;
}

export function createFileModelSource(files: readonly PickedFile[], location = 'the picked folder'): ModelSource {
  const byPath = new Map(files.map((f) => [normalizeModelPath(f.path), f.file]));
  const get = (path: string): Blob => {
    const f = byPath.get(normalizeModelPath(path));
    if (f === undefined) throw new ModelSourceError(`${location} has no ${path}. Pick the whole model folder (with its onnx/ subfolder).`, { missing: true });
    return f;
  };
  const readBytes: ModelSource['readBytes'] = (path, opts = {}) => readBlob(get(path), path, opts);
  return {
    location,
    readBytes,
    readText: async (path, opts) => new TextDecoder().decode(await readBytes(path, opts)),
    exists: async (path) => byPath.has(normalizeModelPath(path)),
    async openBytes(path) {
      const blob = get(path);
      if (typeof blob.slice !== 'function') return memoryByteSource(await readBytes(path));
      return {
        size: blob.size,
        async read(offset, length, opts = {}) {
          opts.signal?.throwIfAborted();
          if (offset < 0 || length < 0 || offset + length > blob.size) throw new ModelSourceError(`Read of ${length} bytes at ${offset} is past the end of ${path} (${blob.size} bytes): it is truncated.`);
          return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
        },
      };
    },
  };
}
