/**
 * The engine's model policies (PolicySpec 'onnx'): the PolicyRuntime port the host implements (the
 * browser worker over onnxruntime-web; core cannot import it), and the keeper of the one loaded model.
 *
 * Lifetime: one model is loaded at a time and kept across episodes, so consecutive episodes (and a
 * fork's continuation) reuse its KV cache prefix (policy/kvPrefix.ts). Loading another ref or device
 * disposes the previous model. Generations take the model exclusively: an episode that was just aborted
 * finishes its last forward before the next one starts, so the cache never interleaves two callers.
 *
 * Not for: reading folders or sessions (the runtime does that) or episode orchestration (runEpisode).
 */
import type { CachedModelFile, DeviceInfo, LoadedModelInfo, ModelConvertEvent, ModelConvertRequest, ModelLoadEvent, ModelLoadRequest, ModelRef, PolicySpec, PreferredDevice, StorageQuotaInfo } from '../engine';
import type { PoolModelRecord } from '../env/trajectory';
import { createCostBias } from '../policy/costBias';
import { folderDecodingProcessors, NO_FOLDER_DECODING } from '../policy/folderDecoding';
import type { LanguageModel } from '../policy/languageModel';
import { createLanguageModelPolicy, type TokenEvent } from '../policy/languageModelPolicy';
import type { GenerateRequest, Policy, Tokenizer } from '../policy/ports';
import type { ChatFraming } from '../policy/tokenizedChat';

/** A model ready to generate: the decoder, its tokenizer and chat framing, and the plain-data info. */
export interface LoadedPolicyModel {
  info: LoadedModelInfo;
  model: LanguageModel;
  tokenizer: Tokenizer & { readonly vocabSize: number };
  framing: ChatFraming;
  dispose(): Promise<void>;
}

/** The host's model loading and cache (browser: src/worker/policyRuntime.ts). */
export interface PolicyRuntime {
  load(req: ModelLoadRequest, o: { signal?: AbortSignal; onEvent: (e: ModelLoadEvent) => void }): Promise<LoadedPolicyModel>;
  listCached(): Promise<CachedModelFile[]>;
  deleteCached(url: string): Promise<boolean>;
  clearCached(): Promise<number>;
  quota(): Promise<StorageQuotaInfo | null>;
  deviceInfo(loaded: LoadedModelInfo | null): Promise<DeviceInfo>;
  /** Checkpoint → q4 folder in the cache (absent: this host cannot convert). */
  convert?(req: ModelConvertRequest, o: { signal?: AbortSignal }): AsyncIterable<ModelConvertEvent>;
}

export class NoPolicyRuntimeError extends Error {
  override name = 'NoPolicyRuntimeError';
  constructor() {
    super('This engine has no policy runtime: model policies run in the browser app (or pass a runtime to createInProcessEngine).');
  }
}

/** Same model, same device preference: the loaded one can be reused. */
export function modelKey(ref: ModelRef, device: PreferredDevice): string {
  switch (ref.kind) {
    case 'embedded':
      return `embedded:${ref.name}@${ref.baseUrl}|${device}`;
    case 'url':
      return `url:${ref.prefix}@${ref.baseUrl ?? ''}|${device}`;
    case 'files':
      return `files:${ref.id}|${device}`;
    case 'cache':
      return `cache:${ref.key}|${device}`;
    case 'checkpoint':
      return `checkpoint:${ref.checkpointId}|${device}`;
  }
}

export interface PolicyModels {
  /** Load (or reuse) a model; events go to `onEvent`, the last one `model.loaded`. */
  load(req: ModelLoadRequest, o: { signal?: AbortSignal; onEvent: (e: ModelLoadEvent) => void }): Promise<LoadedPolicyModel>;
  /**
   * The policy of one episode over the (loaded or loaded-now) model of `spec`, with the positions it
   * has for prompt + response + generation (max positions less the chat framing, as the CLI's host).
   */
  policyFor(spec: Extract<PolicySpec, { kind: 'onnx' }>, o: PolicyOptions): Promise<{ policy: Policy; tokenizer: Tokenizer; contextCapacity: number; info: LoadedModelInfo }>;
  loaded(): LoadedModelInfo | null;
  dispose(): Promise<void>;
}

export interface PolicyOptions {
  pool: readonly PoolModelRecord[];
  now: () => number;
  signal?: AbortSignal;
  onToken: (e: TokenEvent, req: GenerateRequest) => void;
}

export function createPolicyModels(runtime: PolicyRuntime | undefined): PolicyModels {
  let current: { key: string; model: LoadedPolicyModel } | null = null;
  let loading: Promise<unknown> = Promise.resolve();
  let busy: Promise<unknown> = Promise.resolve();

  async function load(req: ModelLoadRequest, o: { signal?: AbortSignal; onEvent: (e: ModelLoadEvent) => void }): Promise<LoadedPolicyModel> {
    if (runtime === undefined) throw new NoPolicyRuntimeError();
    const key = req.source.kind === 'upload' ? null : modelKey(req.source, req.preferredDevice);
    if (key !== null && current?.key === key) {
      o.onEvent({ type: 'model.loaded', info: current.model.info });
      return current.model;
    }
    const previous = current;
    current = null;
    // Free the old model first: two models at once may not fit (and its GPU buffers go with it).
    await busy.catch(() => undefined);
    await previous?.model.dispose().catch(() => undefined);
    const model = await runtime.load(req, o);
    current = { key: modelKey(model.info.ref, req.preferredDevice), model };
    o.onEvent({ type: 'model.loaded', info: model.info });
    return model;
  }

  /** Loads are serialised: a second load waits for the first (and may then reuse it). */
  const serialLoad: PolicyModels['load'] = (req, o) => {
    const run = loading.then(() => load(req, o));
    loading = run.catch(() => undefined);
    return run;
  };

  return {
    load: serialLoad,
    async policyFor(spec, o) {
      const loaded = await serialLoad({ source: spec.model, preferredDevice: spec.preferredDevice }, { ...(o.signal === undefined ? {} : { signal: o.signal }), onEvent: () => undefined });
      const strength = spec.costBias?.strength ?? 0;
      const bias = strength > 0 ? createCostBias({ pool: o.pool, tokenizer: loaded.tokenizer, strength }) : null;
      const decoding = folderDecodingProcessors(loaded.tokenizer, loaded.info.decoding ?? NO_FOLDER_DECODING, o.pool.map((p) => p.name));
      const inner = createLanguageModelPolicy(loaded.model, loaded.tokenizer, {
        id: loaded.info.name,
        sampling: spec.sampling,
        framing: loaded.framing,
        tokenizerVocabSize: loaded.tokenizer.vocabSize,
        now: o.now,
        // The folder's decoding processors always; the bias only while a route can be written.
        processors: (req) => [...decoding(req), ...(bias !== null && req.routingEnabled ? [bias.processor] : [])],
        onToken: o.onToken,
      });
      const policy: Policy = {
        describe: () => inner.describe(),
        generate(req, opts) {
          const run = busy.then(() => inner.generate(req, opts));
          busy = run.catch(() => undefined);
          return run;
        },
      };
      const contextCapacity = loaded.info.config.maxPositions - loaded.framing.prefixIds.length - loaded.framing.suffixIds.length;
      return { policy, tokenizer: loaded.tokenizer, contextCapacity, info: loaded.info };
    },
    loaded: () => current?.model.info ?? null,
    async dispose() {
      await current?.model.dispose();
      current = null;
    },
  };
}
