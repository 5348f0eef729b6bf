/** The cache logic over the in-memory store (jsdom has no Cache API); the Cache API store is a thin mapping. */
import { describe, expect, it } from 'vitest';
import { createMemoryModelSource, createMemoryModelSink, type ModelSource } from '../../core/model/modelSource';
import { loadModelFolder } from '../../core/model/modelFolder';
import { makeTinyRouterFolder } from '../../core/model/tinyRouter';
import { createCachedFolderSource, createInMemoryCacheStore, createModelCache, type CacheNotice, type CacheStore } from './modelCache';

/** Counts reads that reach the network source. */
function counting(source: ModelSource): ModelSource & { reads: string[] } {
  const reads: string[] = [];
  return { ...source, reads, readBytes: (p, o) => (reads.push(p), source.readBytes(p, o)), readText: (p, o) => (reads.push(p), source.readText(p, o)) };
}

const fullStore = (): CacheStore => ({
  ...createInMemoryCacheStore(),
  put: async () => {
    throw Object.assign(new Error('quota'), { name: 'QuotaExceededError' });
  },
});

describe('createModelCache', () => {
  it('serves repeat loads from the cache, keyed by URL; lists sizes; deletes one; clears all', async () => {
    const network = counting(createMemoryModelSource(makeTinyRouterFolder(), 'https://example.org/models/tiny-router/'));
    const cache = createModelCache({ store: createInMemoryCacheStore(), estimate: async () => ({ usage: 1000, quota: 5000 }) });
    const first = await loadModelFolder(cache.cachedSource(network));
    const readsAfterFirst = network.reads.length;
    const second = await loadModelFolder(cache.cachedSource(network));
    expect(network.reads.length).toBe(readsAfterFirst);
    expect(second.onnx.bytes).toEqual(first.onnx.bytes);
    const list = await cache.list();
    expect(list[0]).toEqual({ url: 'https://example.org/models/tiny-router/onnx/model_q4.onnx', bytes: first.onnx.bytes.byteLength, persistent: true });
    expect(list.map((e) => e.url)).toContain('https://example.org/models/tiny-router/config.json');
    expect(await cache.quota()).toEqual({ usageBytes: 1000, quotaBytes: 5000 });
    expect(await cache.delete(list[0]!.url)).toBe(true);
    expect((await cache.list()).length).toBe(list.length - 1);
    expect(await cache.clear()).toBe(list.length - 1);
    expect(await cache.list()).toEqual([]);
  });

  it('falls back to memory with a clear notice when storage is full', async () => {
    const notices: CacheNotice[] = [];
    const network = counting(createMemoryModelSource({ 'a.bin': new Uint8Array(3 * 2 ** 20) }, 'https://x/'));
    const cache = createModelCache({ store: fullStore(), onNotice: (n) => notices.push(n) });
    const src = cache.cachedSource(network);
    expect((await src.readBytes('a.bin')).byteLength).toBe(3 * 2 ** 20);
    expect(notices).toEqual([expect.objectContaining({ type: 'cache.quotaExceeded', url: 'https://x/a.bin' })]);
    expect(notices[0]?.message).toMatch(/storage is full.*kept in memory for this session.*Delete cached models/);
    await src.readBytes('a.bin');
    expect(network.reads).toEqual(['a.bin']);
    expect(await cache.list()).toEqual([{ url: 'https://x/a.bin', bytes: 3 * 2 ** 20, persistent: false }]);
    expect(await cache.quota()).toBeNull();
  });

  it('a converted folder written through the cache sink loads from the cache alone', async () => {
    const cache = createModelCache({ store: createInMemoryCacheStore() });
    const memory = createMemoryModelSink();
    const sink = cache.sink('https://app.local/converted/tiny/');
    for (const [path, contents] of makeTinyRouterFolder()) {
      const bytes = typeof contents === 'string' ? new TextEncoder().encode(contents) : contents;
      await sink.writeFile(path, [bytes.subarray(0, 10), bytes.subarray(10)]);
      await memory.writeFile(path, [bytes]);
    }
    const loaded = await loadModelFolder(createCachedFolderSource(cache, 'https://app.local/converted/tiny/'));
    expect(loaded.onnx.bytes).toEqual(memory.files.get('onnx/model_q4.onnx'));
    await expect(loadModelFolder(createCachedFolderSource(cache, 'https://app.local/converted/other/'))).rejects.toThrow(/has no config\.json/);
  });
});
