/**
 * The UI's port for provider keys. The implementation (adapters/storage/keyStore.ts) is injected by
 * main.tsx; the UI never imports adapters. Keys stay in the vault: the store only learns which
 * providers have one.
 */
export interface KeyVault {
  readonly storageLabel: string;
  get(providerId: string): string | undefined;
  set(providerId: string, key: string): void;
  all(): Record<string, string>;
  isRemembered(): boolean;
  setRemembered(on: boolean): void;
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
