/**
 * Provider keys (DESIGN.md §5): held in memory by default. Only after the user opts in ("Remember keys
 * in this browser") are they written to localStorage, under KEY_STORAGE_NAME; turning it off or Forget
 * removes that entry. Keys are never logged, and nothing here puts them in an error message.
 */

import type { KeyVault } from '../../core/providers/keyVault';

/** The localStorage entry that holds remembered keys (shown to the user beside the opt-in). */
export const KEY_STORAGE_NAME = 'router-r1-studio.keys';

/** The part of the Web Storage API used here (localStorage, or a fake in tests). */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function createKeyStore(storage: StorageLike | null = defaultStorage()): KeyVault {
  const keys = new Map<string, string>();
  let remembered = false;
  const stored = safely(() => storage?.getItem(KEY_STORAGE_NAME) ?? null, null);
  if (stored !== null) {
    // The user opted in on an earlier visit: keep remembering.
    remembered = true;
    for (const [id, key] of Object.entries(parseStored(stored))) keys.set(id, key);
  }
  const persist = (): void => {
    if (!remembered || storage === null) return;
    safely(() => storage.setItem(KEY_STORAGE_NAME, JSON.stringify(Object.fromEntries(keys))), undefined);
  };
  const unpersist = (): void => safely(() => storage?.removeItem(KEY_STORAGE_NAME), undefined);
  return {
    storageLabel: `localStorage["${KEY_STORAGE_NAME}"]`,
    get: (id) => keys.get(id),
    set(id, key) {
      const trimmed = key.trim();
      if (trimmed === '') keys.delete(id);
      else keys.set(id, trimmed);
      persist();
    },
    all: () => Object.fromEntries(keys),
    isRemembered: () => remembered,
    setRemembered(on) {
      remembered = on;
      if (on) persist();
      else unpersist();
    },
    forget() {
      keys.clear();
      remembered = false;
      unpersist();
    },
  };
}

function parseStored(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const parsed = safely(() => JSON.parse(text) as unknown, null);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return out;
  for (const [id, key] of Object.entries(parsed)) if (typeof key === 'string' && key !== '') out[id] = key;
  return out;
}

function defaultStorage(): StorageLike | null {
  // Access itself can throw (storage disabled, sandboxed frame): then keys live in memory only.
  return safely(() => globalThis.localStorage ?? null, null);
}

function safely<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}
