/**
 * The browser's PolicyRuntime (core/run/policyModels.ts), composed in the engine worker: model folders
 * from the embedded folder, a URL prefix, picked files or the cache (adapters/models), validated by
 * core's loadModelFolder; the tokenizer and chat framing (adapters/tokenizers); an onnxruntime-web
 * session on WebGPU or wasm with the device report (adapters/ort). URL folders are read through the
 * model cache, so a second load needs no network.
 *
 * Not for: generation (core's decode loop, driven by the engine) or UI state.
 */
import type { LoadedModelInfo, ModelConvertEvent, ModelConvertRequest, ModelLoadEvent, ModelLoadRequest, ModelRef, PickedModelFile, PolicyDeviceReport, TemplateId } from '../core/index';
import { createDeviceChoiceCache, loadModelFolder, NO_CHAT_FRAMING, folderDecodingOf, type ChatFraming, type LoadedModelFolder, type ModelSource } from '../core/index';
import type { LoadedPolicyModel, PolicyRuntime } from '../core/run/policyModels';
import { createBrowserUrlModelSource, createEmbeddedModelSource } from '../adapters/models/browserModelSources';
import { createFileModelSource, type PickedFile } from '../adapters/models/fileModelSource';
import { checkpointNameOfUrl, convertedCacheKey, convertIntoCache } from '../adapters/models/convertToCache';
import { createCachedFolderSource, type ModelCache } from '../adapters/models/modelCache';
import { createOrtLanguageModel } from '../adapters/ort/ortLanguageModel';
import { WebModelLoadError, type WebSession } from '../adapters/ort/webSession';
import { createChatFraming } from '../adapters/tokenizers/chatTemplate';
import { createHfTokenizer, type HfTokenizer } from '../adapters/tokenizers/hfTokenizer';
import { openPolicySession, type AutoDeviceDeps } from './autoDevice';
import { probeAdapter, probeDevice } from './deviceProbe';

export class PolicyModelLoadError extends Error {
  override name = 'PolicyModelLoadError';
}

/** The KV cache is estimated at this many positions (or the model's maximum, when smaller). */
const KV_ESTIMATE_TOKENS = 4096;

/** A flat pick of files (no folder): ONNX files belong in onnx/, as the folder layout has them. */
export function folderPath(path: string): string {
  return !path.includes('/') && /\.onnx(_data|\.data)?$|\.onnx_data_\d+$/.test(path) ? `onnx/${path}` : path;
}

export function createBrowserPolicyRuntime(deps: { cache: ModelCache; checkpointFolder?: (checkpointId: string) => Promise<ModelSource>; now?: () => number }): PolicyRuntime {
  const uploads = new Map<string, { files: PickedFile[]; label: string }>();
  let uploadCount = 0;
  // "auto"'s measured choices, per (model, adapter), for this worker's life.
  const autoDevice: AutoDeviceDeps = { cache: createDeviceChoiceCache(), now: deps.now ?? (() => performance.now()), adapter: probeAdapter };

  async function sourceFor(ref: ModelRef): Promise<ModelSource> {
    switch (ref.kind) {
      case 'embedded':
        return deps.cache.cachedSource(createEmbeddedModelSource(ref.name, { baseUrl: ref.baseUrl }));
      case 'url':
        return deps.cache.cachedSource(createBrowserUrlModelSource(ref.prefix, ref.baseUrl === undefined ? {} : { baseUrl: ref.baseUrl }));
      case 'files': {
        const picked = uploads.get(ref.id);
        if (picked === undefined) throw new PolicyModelLoadError('The picked files are no longer available (the page was reloaded); pick the folder again.');
        return createFileModelSource(picked.files, picked.label);
      }
      case 'cache':
        return createCachedFolderSource(deps.cache, ref.key);
      case 'checkpoint':
        // The training runtime rebuilds the folder (q4) from the stored checkpoint: this survives a reload.
        if (deps.checkpointFolder === undefined) throw new PolicyModelLoadError('This engine has no training runtime to turn a checkpoint into a model.');
        return deps.checkpointFolder(ref.checkpointId);
    }
  }

  function register(files: readonly PickedModelFile[], label: string | undefined): ModelRef {
    if (files.length === 0) throw new PolicyModelLoadError('No files were picked; pick the model folder (config.json, tokenizer files and onnx/).');
    const id = `files-${++uploadCount}`;
    uploads.set(id, { files: files.map((f) => ({ path: folderPath(f.path), file: f.file as Blob })), label: label ?? 'the picked folder' });
    return { kind: 'files', id };
  }

  async function load(req: ModelLoadRequest, o: { signal?: AbortSignal; onEvent: (e: ModelLoadEvent) => void }): Promise<LoadedPolicyModel> {
    const { signal, onEvent } = o;
    const ref = req.source.kind === 'upload' ? register(req.source.files, req.source.label) : req.source;
    const source = await sourceFor(ref);
    // 1. files: read and check the folder (progress per file).
    onEvent({ type: 'load.stageStarted', stage: 'files', detail: source.location });
    const folder = await loadModelFolder(source, {
      ...(signal === undefined ? {} : { signal }),
      onProgress: (p) => onEvent({ type: 'load.progressed', path: p.path, loadedBytes: p.loadedBytes, totalBytes: p.totalBytes ?? null }),
    });
    // 2. tokenizer and prompt framing.
    signal?.throwIfAborted();
    onEvent({ type: 'load.stageStarted', stage: 'tokenizer', detail: 'tokenizer.json' });
    const tokenizer = createHfTokenizer(folder.tokenizerJson, folder.tokenizerConfig, { modelVocabSize: folder.config.vocabSize });
    const template: TemplateId = folder.router?.prompt_template ?? (folder.config.modelType === 'llama' ? 'llama' : 'qwen');
    const framing = framingFor(template, folder, tokenizer);
    // 3. session on the preferred device (falls back to wasm, saying why).
    //    External data (models past 2 GiB): each file under the `location` the .onnx names, which is
    //    what folder.externalData's paths are (relative to the .onnx file, not to the folder).
    onEvent({ type: 'load.stageStarted', stage: 'session', detail: `onnxruntime-web (${req.preferredDevice})` });
    let session: WebSession;
    try {
      // 'auto': never a software adapter; on a hardware one, the faster backend by a short probe (autoDevice.ts).
      const modelKey = `${folder.location}/${folder.onnx.path}:${folder.onnx.bytes.byteLength}`;
      session = await openPolicySession(
        {
          bytes: folder.onnx.bytes,
          modelKey,
          vocabSize: folder.config.vocabSize,
          ...(signal === undefined ? {} : { signal }),
          session: {
            preferred: req.preferredDevice,
            fp16: folder.onnx.variant === 'q4f16' || folder.onnx.variant === 'fp16',
            externalData: folder.externalData.map((f) => ({ path: f.path, data: f.bytes })),
            onProgress: (e) => {
              if (e.type === 'device.fellBack') onEvent({ type: 'device.fellBack', from: e.from, to: e.to, reason: e.reason });
            },
          },
        },
        autoDevice,
      );
    } catch (err) {
      if (!(err instanceof WebModelLoadError)) throw err;
      throw new PolicyModelLoadError(`${folder.location}/${folder.onnx.path} did not load: ${err.message}`, { cause: err });
    }
    const info = modelInfo(ref, folder, template, req, session.device);
    const model = createOrtLanguageModel(session, {
      eosTokenIds: eosIds(folder, tokenizer),
      vocabSize: folder.config.vocabSize,
      onDeviceChanged: (d) => void (info.device = d),
    });
    if (signal?.aborted === true) {
      await model.dispose();
      signal.throwIfAborted();
    }
    return { info, model, tokenizer, framing, dispose: () => model.dispose() };
  }

  /**
   * A checkpoint (URL prefix or picked files) → q4 folder in the cache. The checkpoint's own files are
   * read straight from their source (never cached: a 3B checkpoint is 6 GB), tensor by tensor.
   */
  async function* convert(req: ModelConvertRequest, o: { signal?: AbortSignal }): AsyncGenerator<ModelConvertEvent> {
    let source: ModelSource;
    let name: string;
    if (req.source.kind === 'url') {
      if (req.source.prefix.trim() === '') throw new PolicyModelLoadError('Enter the URL prefix of a checkpoint folder (e.g. https://huggingface.co/<repo>/resolve/main/).');
      source = createBrowserUrlModelSource(req.source.prefix.trim(), { baseUrl: req.baseUrl });
      name = checkpointNameOfUrl(source.location);
    } else {
      if (req.source.files.length === 0) throw new PolicyModelLoadError('No files were picked; pick the checkpoint folder (config.json, *.safetensors, tokenizer.json, tokenizer_config.json).');
      const label = req.source.label ?? 'the picked checkpoint';
      source = createFileModelSource(req.source.files.map((f) => ({ path: f.path, file: f.file as Blob })), label);
      name = label.replace(/^picked (folder|files) ?/, '') || 'picked-checkpoint';
    }
    yield* convertIntoCache(deps.cache, source, convertedCacheKey(req.baseUrl, name), {
      ...(o.signal === undefined ? {} : { signal: o.signal }),
      ...(req.externalData === undefined ? {} : { externalData: req.externalData }),
    });
  }

  return {
    load,
    convert,
    listCached: () => deps.cache.list(),
    deleteCached: (url) => deps.cache.delete(url),
    clearCached: () => deps.cache.clear(),
    quota: () => deps.cache.quota(),
    async deviceInfo(loaded) {
      return { ...(await probeDevice()), loaded };
    },
  };
}

/** The project's compact template is fed as is; the reference templates go inside the model's chat template. */
function framingFor(template: TemplateId, folder: LoadedModelFolder, tokenizer: HfTokenizer): ChatFraming {
  if (template === 'compact' || folder.tokenizerConfig['chat_template'] === undefined) return NO_CHAT_FRAMING;
  return createChatFraming(tokenizer.config, tokenizer);
}

/** generation_config.json's eos_token_id (one or several), else config.json's, else the tokenizer's. */
function eosIds(folder: LoadedModelFolder, tokenizer: HfTokenizer): number[] {
  for (const raw of [folder.generationConfig?.['eos_token_id'], folder.configJson['eos_token_id']]) {
    if (typeof raw === 'number') return [raw];
    if (Array.isArray(raw) && raw.every((x) => typeof x === 'number')) return raw as number[];
  }
  return tokenizer.eosTokenId === undefined ? [] : [tokenizer.eosTokenId];
}

function modelInfo(ref: ModelRef, folder: LoadedModelFolder, template: TemplateId, req: ModelLoadRequest, device: PolicyDeviceReport): LoadedModelInfo {
  const c = folder.config;
  const files = [{ path: folder.onnx.path, bytes: folder.onnx.bytes.byteLength }, ...folder.externalData.map((f) => ({ path: f.path, bytes: f.bytes.byteLength }))];
  const weights = files.reduce((n, f) => n + f.bytes, 0);
  // K and V, float32, per layer: 2 · layers · kvHeads · headDim · positions · 4 bytes.
  const kvBytes = 2 * c.numLayers * c.numKvHeads * c.headDim * Math.min(KV_ESTIMATE_TOKENS, c.maxPositionEmbeddings) * 4;
  const name = folder.location.replace(/\/+$/, '').split('/').pop() || folder.location;
  return {
    ref,
    location: folder.location,
    name,
    template,
    templateFrom: folder.router === null ? 'default' : 'router.json',
    decoding: folderDecodingOf(folder.router),
    onnx: { path: folder.onnx.path, variant: folder.onnx.variant },
    files,
    // + the float32 copies of 4-bit layers that wasm expanded at load (webSession.ts).
    estimatedMemoryBytes: weights + kvBytes + (device.q4ExpandedBytes ?? 0),
    config: { modelType: c.modelType, layers: c.numLayers, hiddenSize: c.hiddenSize, heads: c.numHeads, kvHeads: c.numKvHeads, vocabSize: c.vocabSize, maxPositions: c.maxPositionEmbeddings },
    tokenizerVocabSize: folder.tokenizerVocabSize,
    preferredDevice: req.preferredDevice,
    device: { ...device },
  };
}
