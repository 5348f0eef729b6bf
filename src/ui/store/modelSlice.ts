/**
 * The model policy as the UI knows it: where the next model comes from (embedded, a URL prefix, picked
 * files, a Router-R1 preset), the device preference, the load in progress (stage, file, bytes, percent),
 * the loaded model's plain-data info and device report, the browser's device probe, the model cache
 * listing with the quota, and generation settings. Written by model actions and engine load events only.
 */
import type { StateCreator } from 'zustand/vanilla';
import type { CachedModelFile, DeviceInfo, LoadedModelInfo, PreferredDevice, StorageQuotaInfo } from '../../core';
import type { AppState } from './appStore';

export type ModelSourceKind = 'embedded' | 'url' | 'files' | 'preset';

export type ModelLoadState =
  | { status: 'idle' }
  | { status: 'loading'; stage: string; file: string | null; loadedBytes: number; totalBytes: number | null }
  | { status: 'ready' }
  | { status: 'failed'; error: string };

export interface ModelCacheState {
  status: 'idle' | 'loading' | 'ready' | 'failed';
  files: CachedModelFile[];
  quota: StorageQuotaInfo | null;
  error: string | null;
}

export interface ModelSlice {
  modelSource: ModelSourceKind;
  modelUrl: string;
  modelPresetId: string;
  preferredDevice: PreferredDevice;
  modelLoad: ModelLoadState;
  modelInfo: LoadedModelInfo | null;
  deviceInfo: DeviceInfo | null;
  modelCache: ModelCacheState;
  /** Tokens per turn for model episodes (clamped to the model's context when the episode starts). */
  modelMaxNewTokens: number;
  /** λ of the cost-aware bias on model-name tokens (0 = off). */
  costBiasStrength: number;
  setModelSource(kind: ModelSourceKind): void;
  setModelUrl(url: string): void;
  setModelPreset(id: string, url: string): void;
  setPreferredDevice(device: PreferredDevice): void;
  loadStarted(): void;
  loadStage(stage: string): void;
  loadProgressed(file: string, loadedBytes: number, totalBytes: number | null): void;
  modelLoaded(info: LoadedModelInfo): void;
  loadFailed(error: string): void;
  setDeviceInfo(info: DeviceInfo): void;
  setModelCache(patch: Partial<ModelCacheState>): void;
  setModelMaxNewTokens(n: number): void;
  setCostBiasStrength(x: number): void;
}

export const createModelSlice: StateCreator<AppState, [], [], ModelSlice> = (set, get) => ({
  modelSource: 'embedded',
  modelUrl: './models/tiny-router/',
  modelPresetId: '',
  preferredDevice: 'auto',
  modelLoad: { status: 'idle' },
  modelInfo: null,
  deviceInfo: null,
  modelCache: { status: 'idle', files: [], quota: null, error: null },
  modelMaxNewTokens: 64, // enough for a think + route on small models; the reference's 1024 is for 3B policies
  costBiasStrength: 0,
  setModelSource: (modelSource) => set({ modelSource }),
  setModelUrl: (modelUrl) => set({ modelUrl }),
  setModelPreset: (modelPresetId, modelUrl) => set({ modelPresetId, modelUrl }),
  setPreferredDevice: (preferredDevice) => set({ preferredDevice }),
  loadStarted: () => set({ modelLoad: { status: 'loading', stage: 'starting', file: null, loadedBytes: 0, totalBytes: null } }),
  loadStage: (stage) => {
    const l = get().modelLoad;
    if (l.status === 'loading') set({ modelLoad: { ...l, stage } });
  },
  loadProgressed: (file, loadedBytes, totalBytes) => {
    const l = get().modelLoad;
    if (l.status === 'loading') set({ modelLoad: { ...l, file, loadedBytes, totalBytes } });
  },
  modelLoaded: (modelInfo) => set({ modelLoad: { status: 'ready' }, modelInfo }),
  loadFailed: (error) => set({ modelLoad: { status: 'failed', error } }),
  setDeviceInfo: (deviceInfo) => set({ deviceInfo }),
  setModelCache: (patch) => set({ modelCache: { ...get().modelCache, ...patch } }),
  setModelMaxNewTokens: (n) => set({ modelMaxNewTokens: Math.max(1, Math.min(4096, Math.trunc(n) || 1)) }),
  setCostBiasStrength: (x) => set({ costBiasStrength: Math.max(0, Number.isFinite(x) ? x : 0) }),
});
