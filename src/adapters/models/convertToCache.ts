/**
 * Converting a checkpoint in the browser (DESIGN.md §3): core's converter over any
 * ModelSource (a URL prefix read with Range requests, or picked files read with Blob.slice), writing the
 * q4 folder into the model cache under `<base>converted/<name>/`. All or nothing: a folder of the same
 * name is replaced only when the new one is written, and a failure or cancel at any point (reading,
 * encoding, writing) removes whatever of the folder reached the cache. A model past 2 GiB (the 3B presets)
 * gets `onnx/model_q4.onnx_data` beside its .onnx, cached and served like every other file of the folder.
 *
 * Not for: the CLI (adapters/node/convertNode.ts) or choosing the source (src/worker/policyRuntime.ts).
 */
import type { ConvertedModelInfo, ModelConvertEvent } from '../../core/engine';
import { convertCheckpoint, type ConvertOptions } from '../../core/model/convert';
import type { ModelSink, ModelSource } from '../../core/model/modelSource';
import type { ModelCache } from './modelCache';

/** A file-system- and URL-safe folder name: "Router-R1-Qwen2.5-3B-Instruct", never empty. */
export function convertedFolderName(raw: string): string {
  const name = raw
    .trim()
    .replace(/[^\w.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return name === '' ? 'checkpoint' : name.slice(0, 80);
}

/**
 * The name of a checkpoint at a URL prefix: the repository of a Hugging Face `…/<owner>/<repo>/resolve/<rev>/`
 * URL, else the prefix's last folder.
 */
export function checkpointNameOfUrl(prefix: string): string {
  const path = prefix.replace(/[?#].*$/, '').replace(/\/+$/, '');
  const hf = /\/([^/]+)\/resolve\/[^/]+$/.exec(path);
  return convertedFolderName(hf?.[1] ?? path.slice(path.lastIndexOf('/') + 1));
}

/** Where a converted folder is cached: `<base>converted/<name>-q4/` (an http(s) URL: the Cache API keys by URL). */
export function convertedCacheKey(baseUrl: string, name: string): string {
  return new URL(`converted/${convertedFolderName(name)}-q4/`, baseUrl).href;
}

async function removeFolder(cache: ModelCache, key: string): Promise<void> {
  for (const e of await cache.list()) if (e.url.startsWith(key)) await cache.delete(e.url);
}

/**
 * Convert `source` into the cache under `key`; streams the converter's events, then `convert.cached`.
 * Rethrows the converter's error (its message says what to do) after removing the partial folder.
 */
export async function* convertIntoCache(
  cache: ModelCache,
  source: ModelSource,
  key: string,
  opts: Pick<ConvertOptions, 'signal' | 'router' | 'externalData'> = {},
): AsyncGenerator<ModelConvertEvent, ConvertedModelInfo> {
  const inner = cache.sink(key);
  let replaced = false;
  let touched = false;
  const sink: ModelSink = {
    location: key,
    async writeFile(path, chunks, o) {
      // The old folder of this name goes only when the new one is ready to be written (after every tensor).
      if (!replaced) {
        replaced = true;
        await removeFolder(cache, key);
      }
      touched = true;
      await inner.writeFile(path, chunks, o);
    },
  };
  let done = false;
  try {
    const gen = convertCheckpoint(source, sink, opts);
    for (;;) {
      const step = await gen.next();
      if (step.done === true) {
        // A cancel that arrived during the last write still cancels: the folder is removed below.
        opts.signal?.throwIfAborted();
        done = true;
        const model: ConvertedModelInfo = { ref: { kind: 'cache', key }, name: key.replace(/\/+$/, '').split('/').pop() ?? key, files: step.value.files };
        yield { type: 'convert.cached', model };
        return model;
      }
      yield step.value;
    }
  } finally {
    // Failed, cancelled, or abandoned by the consumer mid-way: nothing half-written stays in the cache.
    if (!done && touched) await removeFolder(cache, key).catch(() => undefined);
  }
}
