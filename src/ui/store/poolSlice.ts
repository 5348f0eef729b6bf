/**
 * The pool editor's draft: the preset it started from, the models (name the policy writes, provider,
 * provider model id, prices), the providers (base URL etc.; never keys), which providers have a key in
 * memory, the key opt-in, the spending cap and connection-test results. Keys themselves stay in the key
 * vault (see services.ts), never in the store.
 */
import type { StateCreator } from 'zustand/vanilla';
import { DEFAULT_ROUND_DEADLINE_MS, DEFAULT_TIMEOUT_MS, type PoolModelRecord, type ProviderConfig } from '../../core';
import type { AppState } from './appStore';

export type PoolPresetId = 'offline' | 'paper' | 'llmrouter' | 'custom';

export type ConnectionState = { status: 'testing' } | { status: 'ok'; message: string } | { status: 'failed'; kind: string; message: string };

export type DataState = { status: 'loading' } | { status: 'ready' } | { status: 'failed'; error: string };

export interface PoolSlice {
  presetId: PoolPresetId;
  models: PoolModelRecord[];
  providers: ProviderConfig[];
  /** Which providers have a key in memory (the key itself is never in the store). */
  hasKey: Record<string, boolean>;
  rememberKeys: boolean;
  /** Session spending cap in USD; null = none. */
  spendingCapUsd: number | null;
  /** Seconds one provider attempt may take, and the whole call with retries (the engine's defaults: 60 / 90). */
  callTimeoutS: number;
  roundDeadlineS: number;
  connection: Record<string, ConnectionState>;
  offlineData: DataState;
  referenceData: DataState;
  setPool(presetId: PoolPresetId, models: PoolModelRecord[]): void;
  updateModel(index: number, patch: Partial<PoolModelRecord>): void;
  addModel(model: PoolModelRecord): void;
  removeModel(index: number): void;
  setProviders(providers: ProviderConfig[]): void;
  updateProvider(id: string, patch: Partial<ProviderConfig>): void;
  setKeyState(hasKey: Record<string, boolean>, rememberKeys: boolean): void;
  setSpendingCap(usd: number | null): void;
  setCallLimits(patch: Partial<Pick<PoolSlice, 'callTimeoutS' | 'roundDeadlineS'>>): void;
  setConnection(providerId: string, state: ConnectionState): void;
  setOfflineData(state: DataState): void;
  setReferenceData(state: DataState): void;
}

export const createPoolSlice: StateCreator<AppState, [], [], PoolSlice> = (set, get) => ({
  presetId: 'offline',
  models: [],
  providers: [],
  hasKey: {},
  rememberKeys: false,
  spendingCapUsd: 1,
  callTimeoutS: DEFAULT_TIMEOUT_MS / 1000,
  roundDeadlineS: DEFAULT_ROUND_DEADLINE_MS / 1000,
  connection: {},
  offlineData: { status: 'loading' },
  referenceData: { status: 'loading' },
  setPool: (presetId, models) => set({ presetId, models: models.map((m) => ({ ...m })) }),
  updateModel: (index, patch) => set({ presetId: 'custom', models: get().models.map((m, i) => (i === index ? { ...m, ...patch } : m)) }),
  addModel: (model) => set({ presetId: 'custom', models: [...get().models, model] }),
  removeModel: (index) => set({ presetId: 'custom', models: get().models.filter((_, i) => i !== index) }),
  setProviders: (providers) => set({ providers }),
  updateProvider: (id, patch) => set({ providers: get().providers.map((p) => (p.id === id ? { ...p, ...patch } : p)) }),
  setKeyState: (hasKey, rememberKeys) => set({ hasKey, rememberKeys }),
  setSpendingCap: (usd) => set({ spendingCapUsd: usd }),
  setCallLimits: (patch) => set(patch),
  setConnection: (providerId, state) => set({ connection: { ...get().connection, [providerId]: state } }),
  setOfflineData: (state) => set({ offlineData: state }),
  setReferenceData: (state) => set({ referenceData: state }),
});
