/**
 * The response cache (DESIGN.md §5): keyed by (provider, provider model id, prompt, parameters), so
 * re-runs and RL on real APIs don't pay twice. The key is a 64-bit FNV-1a hash of a stable string; the
 * port is async so a persistent store (IndexedDB) can implement it. Never holds a key.
 */
import type { CallParams } from '../policy/ports';
import type { TokenUsage } from '../env/trajectory';
import { fnv1a64 } from '../math/hash';

export { fnv1a64 };

export interface CachedReply {
  reply: string;
  usage: TokenUsage;
}

export interface ResponseCache {
  get(key: string): Promise<CachedReply | undefined>;
  set(key: string, value: CachedReply): Promise<void>;
}

/** The stable string behind a key: fixed field order, so equal requests give equal keys. */
export function responseCacheKeySource(providerId: string, providerModelId: string, prompt: string, params: CallParams): string {
  return JSON.stringify([providerId, providerModelId, prompt, params.temperature, params.topP, params.seed, params.maxTokens]);
}

export function responseCacheKey(providerId: string, providerModelId: string, prompt: string, params: CallParams): string {
  return `v1:${fnv1a64(responseCacheKeySource(providerId, providerModelId, prompt, params))}`;
}

/** An in-memory LRU cache of at most `maxEntries` replies. */
export function createMemoryResponseCache(maxEntries = 1000): ResponseCache & { readonly size: number; clear(): void } {
  const entries = new Map<string, CachedReply>();
  return {
    get size() {
      return entries.size;
    },
    clear: () => entries.clear(),
    async get(key) {
      const hit = entries.get(key);
      if (hit === undefined) return undefined;
      entries.delete(key); // re-insert: Map order is the recency order
      entries.set(key, hit);
      return { reply: hit.reply, usage: { ...hit.usage } };
    },
    async set(key, value) {
      entries.delete(key);
      entries.set(key, { reply: value.reply, usage: { ...value.usage } });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
    },
  };
}
