/**
 * A model folder behind a URL prefix (DESIGN.md §3): `<prefix><path>` for each file, so a Hugging Face
 * `https://huggingface.co/<repo>/resolve/main/` URL, the embedded `./models/<name>/` and a local test
 * server all work the same. Pure: the fetch is injected (browser: adapters/models; Node: global fetch).
 *
 *   readBytes   streams the body chunk by chunk, reporting progress (Content-Length when sent), abortable
 *   openBytes   HTTP Range requests (`bytes=a-b` → 206), so the converter reads one tensor at a time;
 *               a server that ignores Range gets the file read once, whole
 *   exists      a 1-byte Range GET (FetchInit has no HEAD), its body cancelled
 *
 * Not for: caching (adapters/models/modelCache.ts wraps a source) or retries.
 */
import type { FetchLike, FetchResponseLike } from '../providers/fetchPort';
import { memoryByteSource, ModelSourceError, normalizeModelPath, type ByteSource, type ModelSource, type ReadOptions } from './modelSource';

export interface UrlModelSourceDeps {
  fetch: FetchLike;
}

/** Ensure a trailing slash so `prefix + path` stays inside the folder. */
export function normalizeUrlPrefix(prefix: string): string {
  return prefix.endsWith('/') ? prefix : prefix + '/';
}

export function createUrlModelSource(prefix: string, deps: UrlModelSourceDeps): ModelSource {
  const base = normalizeUrlPrefix(prefix);
  const urlOf = (path: string): string => base + normalizeModelPath(path).split('/').map(encodeURIComponent).join('/');

  const get = async (path: string, headers: Record<string, string>, signal: AbortSignal | undefined): Promise<FetchResponseLike> => {
    let res: FetchResponseLike;
    try {
      res = await deps.fetch(urlOf(path), signal === undefined ? { method: 'GET', headers } : { method: 'GET', headers, signal });
    } catch (err) {
      if (signal?.aborted === true) throw err;
      throw new ModelSourceError(`Could not reach ${urlOf(path)} (${err instanceof Error ? err.message : String(err)}). Check the address and your connection; the server must allow CORS.`, { cause: err });
    }
    if (res.status === 404) {
      await cancelBody(res);
      throw new ModelSourceError(`${urlOf(path)} does not exist (HTTP 404).`, { missing: true });
    }
    // A single-page-app server (vite preview, many static hosts) answers a missing file with its index
    // page and 200: for anything but an .html path that page is "not there", not a truncated model file.
    if (res.ok && /^text\/html\b/i.test(res.headers.get('content-type') ?? '') && !/\.html?$/i.test(path)) {
      await cancelBody(res);
      throw new ModelSourceError(`${urlOf(path)} does not exist (the server answered with an HTML page, a web app's fallback, instead of the file).`, { missing: true });
    }
    if (!res.ok) {
      await cancelBody(res);
      const hint = res.status === 401 || res.status === 403 ? ' The repository may be gated or private: open it on the website and accept its terms, or download it and pick the folder.' : '';
      throw new ModelSourceError(`${urlOf(path)} answered HTTP ${res.status}.${hint}`);
    }
    return res;
  };

  const readBytes = async (path: string, opts: ReadOptions = {}): Promise<Uint8Array> => {
    const res = await get(path, {}, opts.signal);
    const length = Number(res.headers.get('content-length') ?? NaN);
    return readBody(res, path, Number.isFinite(length) ? length : undefined, opts);
  };

  return {
    location: base,
    readBytes,
    readText: async (path, opts) => new TextDecoder().decode(await readBytes(path, opts)),
    async exists(path, opts = {}) {
      try {
        await cancelBody(await get(path, { Range: 'bytes=0-0' }, opts.signal));
        return true;
      } catch (err) {
        if (err instanceof ModelSourceError && err.missing) return false;
        throw err;
      }
    },
    async openBytes(path, opts = {}) {
      const probe = await get(path, { Range: 'bytes=0-0' }, opts.signal);
      const total = /\/(\d+)\s*$/.exec(probe.headers.get('content-range') ?? '')?.[1];
      if (probe.status !== 206 || total === undefined) {
        // No Range support: this one file is read whole (a cost for multi-GB files; HF and static servers support Range).
        const length = Number(probe.headers.get('content-length') ?? NaN);
        return memoryByteSource(await readBody(probe, path, Number.isFinite(length) ? length : undefined, opts));
      }
      await cancelBody(probe);
      return rangeByteSource(Number(total), async (offset, length, signal) => {
        const res = await get(path, { Range: `bytes=${offset}-${offset + length - 1}` }, signal);
        const bytes = await readBody(res, path, length, signal === undefined ? {} : { signal });
        if (res.status !== 206 || bytes.byteLength !== length) {
          throw new ModelSourceError(`${urlOf(path)}: asked for ${length} bytes at ${offset}, got ${bytes.byteLength} (HTTP ${res.status}); the file changed or is truncated.`);
        }
        return bytes;
      });
    },
  };
}

function rangeByteSource(size: number, fetchRange: (offset: number, length: number, signal: AbortSignal | undefined) => Promise<Uint8Array>): ByteSource {
  return {
    size,
    read: async (offset, length, opts = {}) => {
      if (offset < 0 || length < 0 || offset + length > size) throw new ModelSourceError(`Read of ${length} bytes at ${offset} is past the end of a ${size}-byte file: it is truncated.`);
      return length === 0 ? new Uint8Array() : fetchRange(offset, length, opts.signal);
    },
  };
}

async function cancelBody(res: FetchResponseLike): Promise<void> {
  try {
    await res.body?.getReader().cancel();
  } catch {
    // a body that is already closed or locked needs no cancel
  }
}

/** The body as bytes, chunk by chunk with progress; one copy at the end (or none when the length is known). */
async function readBody(res: FetchResponseLike, path: string, totalBytes: number | undefined, opts: ReadOptions): Promise<Uint8Array> {
  const reader = res.body?.getReader();
  if (reader === undefined) {
    const bytes = new TextEncoder().encode(await res.text()); // minimal fetch stubs without a body stream
    opts.onProgress?.({ path, loadedBytes: bytes.byteLength, totalBytes: bytes.byteLength });
    return bytes;
  }
  const onAbort = (): void => void reader.cancel(opts.signal?.reason).catch(() => undefined);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    let into = totalBytes !== undefined ? new Uint8Array(totalBytes) : undefined;
    for (;;) {
      opts.signal?.throwIfAborted();
      const { done, value } = await reader.read();
      opts.signal?.throwIfAborted();
      if (done) break;
      if (value === undefined) continue;
      if (into !== undefined && loaded + value.byteLength <= into.byteLength) into.set(value, loaded);
      else {
        if (into !== undefined) chunks.push(into.subarray(0, loaded)); // more than Content-Length said: fall back to chunks
        into = undefined;
        chunks.push(value);
      }
      loaded += value.byteLength;
      opts.onProgress?.({ path, loadedBytes: loaded, totalBytes });
    }
    if (into !== undefined) return loaded === into.byteLength ? into : into.subarray(0, loaded);
    const out = new Uint8Array(loaded);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
