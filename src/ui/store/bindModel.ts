/**
 * The model streams' binders (see bindEngine.ts): the only `for await` over a model load's and a
 * checkpoint conversion's events. Each event is written at once (a stage or a file's progress, a few
 * per second). A stream replaced by a newer one (`isCurrent` false) leaves the store to that one.
 * Must not: start, cancel or replace loads (modelActions.ts owns the abort controllers).
 */
import type { ConvertedModelInfo, LoadedModelInfo, ModelConvertEvent, ModelLoadEvent } from '../../core';
import type { AppStore } from './appStore';
import type { ModelConvertState } from './modelSlice';

/** What a load cut short by Cancel (or by a newer load) reports. */
export const LOAD_CANCELLED = 'Loading was cancelled.';

/** What a conversion cut short by Cancel reports (nothing of it is left in the cache). */
export const CONVERT_CANCELLED = 'Conversion was cancelled; nothing was kept in the model cache.';

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export interface StreamOwnership {
  /** False once a newer stream of the same kind owns the store. */
  isCurrent: () => boolean;
  /** The stream was cancelled (its failure is reported as the cancel, not as an error). */
  signal: AbortSignal;
}

/** Runs a model load to its end: the loaded model, or null (failed, cancelled or replaced; the store says which). */
export async function loadModelIntoStore(events: () => AsyncIterable<ModelLoadEvent>, store: AppStore, own: StreamOwnership): Promise<LoadedModelInfo | null> {
  const s = store.getState;
  s().loadStarted();
  try {
    let info: LoadedModelInfo | null = null;
    for await (const e of events()) {
      if (e.type === 'load.stageStarted') s().loadStage(`${e.stage}: ${e.detail}`);
      else if (e.type === 'load.progressed') s().loadProgressed(e.path, e.loadedBytes, e.totalBytes);
      else if (e.type === 'model.loaded') info = e.info;
    }
    if (info === null) throw new Error('The model load ended without a model.');
    if (!own.isCurrent()) return null; // a newer load owns the store now
    s().modelLoaded(info);
    return info;
  } catch (err) {
    // A load replaced by a newer one leaves the store to it; Cancel (no newer load) is reported.
    if (own.isCurrent()) s().loadFailed(own.signal.aborted ? LOAD_CANCELLED : message(err));
    return null;
  }
}

/** Runs a conversion to its end: the cached model, or null (failed or cancelled; the store says which). */
export async function convertModelIntoStore(events: () => AsyncIterable<ModelConvertEvent>, store: AppStore, own: StreamOwnership & { location: string }): Promise<ConvertedModelInfo | null> {
  let state: Extract<ModelConvertState, { status: 'converting' }> = { status: 'converting', location: own.location, stage: 'Reading the checkpoint (config, tokenizer, safetensors headers)…', tensorIndex: 0, tensorCount: 0, bytesRead: 0, totalBytes: 0 };
  const update = (patch: Partial<typeof state>): void => {
    state = { ...state, ...patch };
    if (own.isCurrent()) store.getState().setModelConvert(state);
  };
  update({});
  try {
    let model: ConvertedModelInfo | null = null;
    for await (const e of events()) {
      switch (e.type) {
        case 'convert.started':
          update({ location: e.location, stage: `Converting ${e.modelType} weights`, tensorCount: e.tensorCount, totalBytes: e.totalBytes });
          break;
        case 'convert.tensorRead':
          update({ tensorIndex: e.tensorIndex, tensorCount: e.tensorCount, bytesRead: e.bytesRead, totalBytes: e.totalBytes });
          break;
        case 'convert.encoded':
          update({ stage: 'Encoding the ONNX model' });
          break;
        case 'convert.fileWritten':
          update({ stage: `Writing to the model cache: ${e.path}` });
          break;
        case 'convert.finished':
          break;
        case 'convert.cached':
          model = e.model;
          break;
      }
    }
    if (model === null) throw new Error('The conversion ended without a model.');
    if (own.isCurrent()) store.getState().setModelConvert({ status: 'done', model });
    return model;
  } catch (err) {
    if (own.isCurrent()) store.getState().setModelConvert({ status: 'failed', error: own.signal.aborted ? CONVERT_CANCELLED : message(err) });
    return null;
  }
}
