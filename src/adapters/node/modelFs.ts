/**
 * Model folders on the local file system (CLI, Node tests): a ModelSource that reads files with
 * progress and byte ranges (one open/read/close per range, so no handle outlives a call), and a
 * ModelSink that streams chunks to disk without concatenating them. Also core's URL source bound to
 * Node's global fetch, for `convert <url-prefix>`.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { once } from 'node:events';
import { ModelSourceError, normalizeModelPath, type ModelSink, type ModelSource } from '../../core/model/modelSource';
import { createUrlModelSource } from '../../core/model/urlModelSource';
import type { FetchLike } from '../../core/providers/fetchPort';

function inside(root: string, path: string): string {
  const file = resolve(root, normalizeModelPath(path));
  if (!file.startsWith(root + sep)) throw new ModelSourceError(`${path} is outside ${root}.`);
  return file;
}

function fsError(root: string, path: string, err: unknown): ModelSourceError {
  const missing = (err as { code?: unknown }).code === 'ENOENT';
  return new ModelSourceError(missing ? `${root} has no ${path}.` : `Could not read ${root}/${path}: ${err instanceof Error ? err.message : String(err)}`, { missing, cause: err });
}

export function createFsModelSource(dir: string): ModelSource {
  const root = resolve(dir);
  const readBytes: ModelSource['readBytes'] = async (path, opts = {}) => {
    opts.signal?.throwIfAborted();
    try {
      const bytes = new Uint8Array(await readFile(inside(root, path), opts.signal === undefined ? {} : { signal: opts.signal }));
      opts.onProgress?.({ path, loadedBytes: bytes.byteLength, totalBytes: bytes.byteLength });
      return bytes;
    } catch (err) {
      if (opts.signal?.aborted === true || err instanceof ModelSourceError) throw err;
      throw fsError(root, path, err);
    }
  };
  return {
    location: root,
    readBytes,
    readText: async (path, opts) => new TextDecoder().decode(await readBytes(path, opts)),
    exists: async (path) => stat(inside(root, path)).then((s) => s.isFile(), () => false),
    async openBytes(path) {
      const file = inside(root, path);
      const size = await stat(file).then((s) => s.size, (err: unknown) => Promise.reject(fsError(root, path, err)));
      return {
        size,
        async read(offset, length, opts = {}) {
          opts.signal?.throwIfAborted();
          if (offset < 0 || length < 0 || offset + length > size) throw new ModelSourceError(`Read of ${length} bytes at ${offset} is past the end of ${file} (${size} bytes): it is truncated.`);
          const handle = await open(file, 'r');
          try {
            const out = new Uint8Array(length);
            let done = 0;
            while (done < length) {
              const { bytesRead } = await handle.read(out, done, length - done, offset + done);
              if (bytesRead === 0) throw new ModelSourceError(`${file} ended early (it changed while being read?).`);
              done += bytesRead;
            }
            return out;
          } finally {
            await handle.close();
          }
        },
      };
    },
  };
}

export function createFsModelSink(dir: string): ModelSink {
  const root = resolve(dir);
  return {
    location: root,
    async writeFile(path, chunks, opts = {}) {
      const file = inside(root, path);
      await mkdir(dirname(file), { recursive: true });
      const out = createWriteStream(file);
      try {
        for (const c of chunks) {
          opts.signal?.throwIfAborted();
          if (!out.write(c)) await once(out, 'drain');
        }
      } finally {
        out.end();
        await once(out, 'close');
      }
    },
  };
}

/** Node's global fetch as core's FetchLike. */
export const nodeFetch: FetchLike = (url, init) => fetch(url, { method: init.method, headers: init.headers, body: init.body ?? null, signal: init.signal ?? null });

/** A folder path or an http(s) URL prefix (e.g. a Hugging Face `resolve/main/` URL). */
export function createModelSourceFor(folderOrUrl: string, fetchFn: FetchLike = nodeFetch): ModelSource {
  return /^https?:\/\//i.test(folderOrUrl) ? createUrlModelSource(folderOrUrl, { fetch: fetchFn }) : createFsModelSource(folderOrUrl);
}
