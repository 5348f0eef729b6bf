/**
 * The port for provider keys (DESIGN.md §5). The browser's implementation (adapters/storage/keyStore.ts:
 * memory, localStorage only after the user opts in) is injected by main.tsx; the UI holds the port, never
 * the adapter, and its store only learns which providers have a key. Keys never leave the vault except in
 * the request to their own provider.
 */
export interface KeyVault {
  /** Where remembered keys go: "localStorage[router-r1-studio.keys]". */
  readonly storageLabel: string;
  get(providerId: string): string | undefined;
  /** An empty key removes the provider's key. Written through to storage only while remembering. */
  set(providerId: string, key: string): void;
  /** A copy of every key, by provider id (for the request that needs them). */
  all(): Record<string, string>;
  isRemembered(): boolean;
  /** On: writes the keys to storage now and on every change. Off: removes the storage entry (keys stay in memory). */
  setRemembered(on: boolean): void;
  /** Clears the keys from memory and storage. */
  forget(): void;
}

/** An in-memory vault (tests, and hosts without storage). */
export function createMemoryKeyVault(): KeyVault {
  const keys = new Map<string, string>();
  return {
    storageLabel: 'memory only',
    get: (id) => keys.get(id),
    set: (id, key) => (key.trim() === '' ? keys.delete(id) : keys.set(id, key.trim()), undefined),
    all: () => Object.fromEntries(keys),
    isRemembered: () => false,
    setRemembered: () => undefined,
    forget: () => keys.clear(),
  };
}
