/**
 * The model policy as the UI knows it: where the next model comes from (an embedded folder, a URL
 * prefix, picked files, a Router-R1 preset), the device preference, the load in progress (stage, file,
 * bytes, percent), the loaded model's plain-data info and device report, the browser's device probe, the
 * model cache listing with the quota, a checkpoint conversion in progress (or its result), and generation settings. Also the embedded default policies
 * (public/models/embedded.json): the index, which of its variants is the selected policy (the α control
 * switches among them; any other model is never replaced), and why the default could not be opened.
 * Written by model actions and engine load events only.
 */
import type { StateCreator } from 'zustand/vanilla';
import { TINY_ROUTER_NAME, type CachedModelFile, type ConvertedModelInfo, type DeviceInfo, type EmbeddedIndex, type LoadedModelInfo, type ModelLoadSource, type PreferredDevice, type StorageQuotaInfo } from '../../core';
import type { AppState } from './appStore';

export type EmbeddedIndexState =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'ready'; index: EmbeddedIndex }
  | { status: 'failed'; error: string };

export type ModelSourceKind = 'embedded' | 'url' | 'files' | 'preset' | 'convert';

export type ModelLoadState =
  | { status: 'idle' }
  | { status: 'loading'; stage: string; file: string | null; loadedBytes: number; totalBytes: number | null }
  | { status: 'ready' }
  | { status: 'failed'; error: string };

/** A checkpoint conversion (in the worker): where it is, tensor n of N and bytes read; the cached folder; or why it failed. */
export type ModelConvertState =
  | { status: 'idle' }
  | { status: 'converting'; location: string; stage: string; tensorIndex: number; tensorCount: number; bytesRead: number; totalBytes: number }
  | { status: 'done'; model: ConvertedModelInfo }
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
  modelConvert: ModelConvertState;
  /** Tokens per turn for model episodes (clamped to the model's context when the episode starts). */
  modelMaxNewTokens: number;
  /** λ of the cost-aware bias on model-name tokens (0 = off). */
  costBiasStrength: number;
  /** The folder under public/models/ that the 'embedded' source loads. */
  embeddedName: string;
  embeddedIndex: EmbeddedIndexState;
  /** The index variant that is the selected policy (its load started last); null: another model is. */
  embeddedVariant: string | null;
  /** Why the embedded default policy could not be opened on first load (the app fell back to "you are the router"). */
  embeddedError: string | null;
  setModelSource(kind: ModelSourceKind): void;
  setEmbeddedName(name: string): void;
  setEmbeddedIndex(state: EmbeddedIndexState): void;
  /** A load started: the selected policy is that source (an index variant, or not). */
  policySelected(source: ModelLoadSource): void;
  setEmbeddedError(error: string | null): void;
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
  setModelConvert(state: ModelConvertState): void;
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
  modelConvert: { status: 'idle' },
  modelMaxNewTokens: 160, // a think + route of the embedded policies (their RL turns are 160 tokens); the reference's 1024 is for 3B policies
  costBiasStrength: 0,
  embeddedName: TINY_ROUTER_NAME, // the embedded test model (random weights) until the index names the default
  embeddedIndex: { status: 'idle' },
  embeddedVariant: null,
  embeddedError: null,
  setModelSource: (modelSource) => set({ modelSource }),
  setEmbeddedName: (embeddedName) => set({ embeddedName }),
  setEmbeddedIndex: (embeddedIndex) => set({ embeddedIndex }),
  policySelected: (source) => {
    const index = get().embeddedIndex;
    const variant = source.kind === 'embedded' && index.status === 'ready' && index.index.variants.some((v) => v.name === source.name) ? source.name : null;
    set({ embeddedVariant: variant });
  },
  setEmbeddedError: (embeddedError) => set({ embeddedError }),
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
  modelLoaded: (modelInfo) => set({ modelLoad: { status: 'ready' }, modelInfo, embeddedError: null }),
  loadFailed: (error) => set({ modelLoad: { status: 'failed', error } }),
  setDeviceInfo: (deviceInfo) => set({ deviceInfo }),
  setModelCache: (patch) => set({ modelCache: { ...get().modelCache, ...patch } }),
  setModelConvert: (modelConvert) => set({ modelConvert }),
  setModelMaxNewTokens: (n) => set({ modelMaxNewTokens: Math.max(1, Math.min(4096, Math.trunc(n) || 1)) }),
  setCostBiasStrength: (x) => set({ costBiasStrength: Math.max(0, Number.isFinite(x) ? x : 0) }),
});

/** The selected embedded variant for the UI: which one, the α it was trained for, and whether it runs yet. */
export interface EmbeddedPolicyView {
  name: string;
  alpha: number;
  summary: string;
  status: 'loading' | 'running' | 'failed';
}

export function selectEmbeddedPolicy(s: Pick<ModelSlice, 'embeddedIndex' | 'embeddedVariant' | 'modelLoad' | 'modelInfo'>): EmbeddedPolicyView | null {
  if (s.embeddedVariant === null || s.embeddedIndex.status !== 'ready') return null;
  const v = s.embeddedIndex.index.variants.find((x) => x.name === s.embeddedVariant);
  if (v === undefined) return null;
  const ref = s.modelInfo?.ref;
  const loaded = ref?.kind === 'embedded' && ref.name === v.name;
  const status = s.modelLoad.status === 'loading' ? 'loading' : s.modelLoad.status === 'failed' || !loaded ? 'failed' : 'running';
  return { name: v.name, alpha: v.alpha, summary: v.summary, status };
}

/** "router-nano-a08 (trained for α = 0.8)". */
export function embeddedVariantLabel(v: { name: string; alpha: number }): string {
  return `${v.name} (trained for α = ${v.alpha})`;
}
