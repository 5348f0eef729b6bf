/**
 * The model cache (DESIGN.md §3): downloaded and converted model files kept in the Cache API, keyed by
 * URL, which users can list (with sizes), delete one by one or clear, with the quota shown from
 * `navigator.storage.estimate()`. When storage is full (QuotaExceededError) the file is kept in memory
 * for the session instead and a notice says so — loading never fails because caching did.
 *
 * The Cache API sits behind `CacheStore` (jsdom has no Cache API): `createCacheApiStore` is the real one,
 * `createInMemoryCacheStore` is both the quota fallback and the fake the tests use.
 * Not for: fetching (browserModelSources.ts) or deciding what to load (core/model/modelFolder.ts).
 */
import { memoryByteSource, ModelSourceError, normalizeModelPath, type ModelSink, type ModelSource } from '../../core/model/modelSource';

export interface CacheEntry {
  url: string;
  bytes: number;
}

export interface CacheStore {
  match(url: string): Promise<Uint8Array | undefined>;
  has(url: string): Promise<boolean>;
  put(url: string, chunks: readonly Uint8Array[]): Promise<void>;
  delete(url: string): Promise<boolean>;
  entries(): Promise<CacheEntry[]>;
}

export const MODEL_CACHE_NAME = 'router-r1-models-v1';

/** The Cache API store. Sizes come from the Content-Length we write with each entry. */
export function createCacheApiStore(cacheName = MODEL_CACHE_NAME, storage: CacheStorage = globalThis.caches): CacheStore {
  const open = (): Promise<Cache> => storage.open(cacheName);
  return {
    async match(url) {
      const res = await (await open()).match(url);
      return res === undefined ? undefined : new Uint8Array(await res.arrayBuffer());
    },
    has: async (url) => (await (await open()).match(url)) !== undefined,
    async put(url, chunks) {
      const size = chunks.reduce((n, c) => n + c.byteLength, 0);
      // A Blob of the chunks lets the browser spill large entries to disk without one giant array.
      const body = new Blob(chunks as readonly BlobPart[] as BlobPart[], { type: 'application/octet-stream' });
      await (await open()).put(url, new Response(body, { headers: { 'Content-Length': String(size) } }));
    },
    delete: async (url) => (await open()).delete(url),
    async entries() {
      const cache = await open();
      const out: CacheEntry[] = [];
      for (const req of await cache.keys()) {
        const res = await cache.match(req);
        const length = Number(res?.headers.get('Content-Length') ?? NaN);
        out.push({ url: req.url, bytes: Number.isFinite(length) ? length : (await res?.blob())?.size ?? 0 });
      }
      return out;
    },
  };
}

/** Files held in memory for this session: the quota fallback, and the fake Cache API in tests. */
export function createInMemoryCacheStore(): CacheStore {
  const files = new Map<string, Uint8Array>();
  return {
    match: async (url) => files.get(url),
    has: async (url) => files.has(url),
    async put(url, chunks) {
      const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
      let at = 0;
      for (const c of chunks) {
        out.set(c, at);
        at += c.byteLength;
      }
      files.set(url, out);
    },
    delete: async (url) => files.delete(url),
    entries: async () => [...files].map(([url, b]) => ({ url, bytes: b.byteLength })),
  };
}

export interface StorageQuota {
  usageBytes: number;
  quotaBytes: number;
}

export interface CacheNotice {
  type: 'cache.quotaExceeded';
  url: string;
  message: string;
}

export interface ModelCache {
  /** Cached entries (persistent and in-memory), largest first. */
  list(): Promise<(CacheEntry & { persistent: boolean })[]>;
  delete(url: string): Promise<boolean>;
  clear(): Promise<number>;
  /** navigator.storage.estimate(), or null where the browser does not say. */
  quota(): Promise<StorageQuota | null>;
  /** `source` with every whole-file read served from, or saved to, the cache (key: location + path). */
  cachedSource(source: ModelSource): ModelSource;
  /** A sink that writes a converted folder into the cache under `prefixUrl`. */
  sink(prefixUrl: string): ModelSink;
}

export interface ModelCacheDeps {
  store: CacheStore;
  /** Where files go when the store is full (default: a fresh in-memory store). */
  fallback?: CacheStore;
  estimate?: () => Promise<{ usage?: number; quota?: number }>;
  onNotice?: (n: CacheNotice) => void;
}

export const isQuotaExceeded = (err: unknown): boolean => {
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED';
};

export function createModelCache(deps: ModelCacheDeps): ModelCache {
  const { store } = deps;
  const fallback = deps.fallback ?? createInMemoryCacheStore();
  const keyOf = (prefix: string, path: string): string => (prefix.endsWith('/') ? prefix : prefix + '/') + normalizeModelPath(path);

  const put = async (url: string, chunks: readonly Uint8Array[]): Promise<void> => {
    try {
      await store.put(url, chunks);
    } catch (err) {
      if (!isQuotaExceeded(err)) throw err;
      await fallback.put(url, chunks);
      const mb = (chunks.reduce((n, c) => n + c.byteLength, 0) / 2 ** 20).toFixed(1);
      deps.onNotice?.({
        type: 'cache.quotaExceeded',
        url,
        message: `Browser storage is full, so ${url} (${mb} MB) is kept in memory for this session only and will be downloaded again next time. Delete cached models you no longer need to make room.`,
      });
    }
  };
  const match = async (url: string): Promise<Uint8Array | undefined> => (await store.match(url)) ?? (await fallback.match(url));

  return {
    async list() {
      const persistent = (await store.entries()).map((e) => ({ ...e, persistent: true }));
      const memory = (await fallback.entries()).map((e) => ({ ...e, persistent: false }));
      return [...persistent, ...memory].sort((a, b) => b.bytes - a.bytes || a.url.localeCompare(b.url));
    },
    async delete(url) {
      const a = await store.delete(url);
      const b = await fallback.delete(url);
      return a || b;
    },
    async clear() {
      let n = 0;
      for (const s of [store, fallback]) for (const e of await s.entries()) if (await s.delete(e.url)) n++;
      return n;
    },
    async quota() {
      if (deps.estimate === undefined) return null;
      const e = await deps.estimate();
      return e.usage === undefined || e.quota === undefined ? null : { usageBytes: e.usage, quotaBytes: e.quota };
    },
    cachedSource(source) {
      const readBytes: ModelSource['readBytes'] = async (path, opts = {}) => {
        const url = keyOf(source.location, path);
        const hit = await match(url);
        if (hit !== undefined) {
          opts.onProgress?.({ path, loadedBytes: hit.byteLength, totalBytes: hit.byteLength });
          return hit;
        }
        const bytes = await source.readBytes(path, opts);
        await put(url, [bytes]);
        return bytes;
      };
      const cached: ModelSource = {
        location: source.location,
        readBytes,
        readText: async (path, opts) => new TextDecoder().decode(await readBytes(path, opts)),
        exists: async (path, opts) => (await store.has(keyOf(source.location, path))) || (await fallback.has(keyOf(source.location, path))) || source.exists(path, opts),
      };
      const open = source.openBytes?.bind(source);
      // Range reads (the converter's) go to the source; a file already cached whole is served from memory.
      cached.openBytes = async (path, opts) => {
        const hit = await match(keyOf(source.location, path));
        if (hit !== undefined) return memoryByteSource(hit);
        return open !== undefined ? open(path, opts) : memoryByteSource(await readBytes(path, opts));
      };
      return cached;
    },
    sink(prefixUrl) {
      return {
        location: prefixUrl,
        async writeFile(path, chunks, opts = {}) {
          opts.signal?.throwIfAborted();
          await put(keyOf(prefixUrl, path), chunks);
        },
      };
    },
  };
}

/** A ModelSource over what the cache holds under `prefixUrl` (e.g. a converted folder), nothing fetched. */
export function createCachedFolderSource(cache: ModelCache, prefixUrl: string): ModelSource {
  const missing: ModelSource = {
    location: prefixUrl,
    readBytes: async (path) => {
      throw new ModelSourceError(`${path} is not in the model cache under ${prefixUrl}; convert or download the model again.`, { missing: true });
    },
    readText: async () => '',
    exists: async () => false,
  };
  missing.readText = async (path, opts) => new TextDecoder().decode(await missing.readBytes(path, opts));
  return cache.cachedSource(missing);
}
