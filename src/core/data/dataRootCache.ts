/**
 * What a session reads from its data roots, read once per root: the offline bank (the largest file set
 * every host needs: the engine's offline pool and evaluations, the worker's training rollouts). One cache
 * per composition (the worker creates one and hands it to the engine and the training runtime), so the
 * bank is loaded and parsed once however many hosts use it.
 *
 * Must not: pick a default root or word the missing-root message (each host knows what it needs the root
 * for), or keep a failed load (the next call reads again).
 */
import type { DataRoot } from './dataRoot';
import { loadOfflineBank, type OfflineBank } from '../offline/offlineBank';

export interface DataRootCache {
  /** The data root at a location (a URL in the browser, a directory in Node). */
  open(location: string): DataRoot;
  /** The root's offline bank, loaded once per root location. */
  bank(location: string): Promise<OfflineBank>;
}

export function createDataRootCache(openDataRoot: (location: string) => DataRoot): DataRootCache {
  const banks = new Map<string, Promise<OfflineBank>>();
  return {
    open: openDataRoot,
    bank(location) {
      const root = openDataRoot(location);
      let loading = banks.get(root.location);
      if (loading === undefined) {
        loading = loadOfflineBank(root);
        banks.set(root.location, loading);
        loading.catch(() => banks.delete(root.location));
      }
      return loading;
    },
  };
}
