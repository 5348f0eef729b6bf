/**
 * Converting a checkpoint in the browser, the worker's way: a Qwen2-shaped safetensors
 * checkpoint the test writes (config, tokenizer files), handed over as picked Blobs across a real
 * MessageChannel (EngineClient ↔ EngineHost) to the in-process engine the worker builds, whose policy
 * runtime is the browser's — converted into the model cache, listed there, then loaded from the cache by
 * its ref on onnxruntime-web (wasm): its logits equal the float64 reference on the dequantised weights
 * (1e-3), and its ONNX file is byte for byte the one the CLI's converter writes. Errors: a missing
 * tokenizer, a truncated safetensors file, an unsupported architecture, a cancel, a failing cache write —
 * each a clear message and nothing of the folder left in the cache.
 */
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEngineChannels } from '../testing/workerHarness';
import { createInProcessEngine, type ModelConvertEvent, type ModelConvertRequest } from '../core/index';
import { convertCheckpoint, runConversion } from '../core/model/convert';
import { createMemoryModelSink, createMemoryModelSource } from '../core/model/modelSource';
import { makeTestCheckpoint, type TestCheckpoint } from '../testing/testCheckpoints';
import { dequantisedWeights } from '../core/model/tinyRouter';
import { referenceForward } from '../core/onnx/referenceForward';
import { checkpointNameOfUrl, convertedCacheKey } from '../adapters/models/convertToCache';
import { createInMemoryCacheStore, createModelCache, type CacheStore, type ModelCache } from '../adapters/models/modelCache';
import { EngineClient } from './engineClient';
import { createBrowserPolicyRuntime } from './policyRuntime';

// onnxruntime-web in Node: its wasm files from the package, one thread (src/testing/workerHarness.ts).
vi.mock('../adapters/ort/ortEnvironment', async (importOriginal) => (await import('../testing/workerHarness')).ortEnvironmentInNode(await importOriginal()));

const BASE = 'http://app.test/';
const TOKENS = [269, 117, 115, 260, 10, 87, 104, 111, 270, 5, 200];
const channels = createEngineChannels();
afterAll(() => channels.closeAll());

function connect(store: CacheStore = createInMemoryCacheStore()): { client: EngineClient; cache: ModelCache; runtime: ReturnType<typeof createBrowserPolicyRuntime> } {
  const cache = createModelCache({ store, estimate: async () => ({}) });
  const runtime = createBrowserPolicyRuntime({ cache });
  const engine = createInProcessEngine({ now: () => 0, policyRuntime: runtime });
  return { client: channels.connect(engine), cache, runtime };
}

/** The checkpoint as the folder picker hands it over: paths inside the folder, Blobs. */
function picked(ckpt: TestCheckpoint, label = 'picked folder qwen-ckpt'): ModelConvertRequest {
  const files = [...ckpt.files].map(([path, contents]) => ({ path: `qwen-ckpt/${path}`, file: new Blob([contents as BlobPart]) }));
  // the picker strips the shared top folder (fileModelSource.filesFromFileList)
  return { source: { kind: 'upload', files: files.map((f) => ({ ...f, path: f.path.slice('qwen-ckpt/'.length) })), label }, baseUrl: BASE };
}

async function collect(events: AsyncIterable<ModelConvertEvent>): Promise<ModelConvertEvent[]> {
  const out: ModelConvertEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

describe('convert a checkpoint in the worker into the model cache', () => {
  let ckpt: TestCheckpoint;
  beforeAll(() => {
    ckpt = makeTestCheckpoint({ family: 'qwen2', dtype: 'BF16', shards: 2, seed: 5 });
  });

  it('picked files → cached q4 folder (progress per tensor) → loads from the cache by its ref, logits = reference, ONNX = the CLI converter’s', async () => {
    const { client, cache, runtime } = connect();
    const events = await collect(client.convertModel(picked(ckpt)));

    const started = events.find((e) => e.type === 'convert.started');
    expect(started).toMatchObject({ type: 'convert.started', modelType: 'qwen2', location: 'picked folder qwen-ckpt' });
    const tensors = events.filter((e) => e.type === 'convert.tensorRead');
    const count = started?.type === 'convert.started' ? started.tensorCount : 0;
    expect(tensors).toHaveLength(count);
    expect(tensors.map((e) => e.tensorIndex)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    const lastTensor = tensors.at(-1);
    expect(lastTensor?.type === 'convert.tensorRead' && lastTensor.bytesRead).toBe(started?.type === 'convert.started' ? started.totalBytes : -1);
    const last = events.at(-1);
    const key = convertedCacheKey(BASE, 'qwen-ckpt');
    expect(key).toBe('http://app.test/converted/qwen-ckpt-q4/');
    expect(last).toMatchObject({ type: 'convert.cached', model: { ref: { kind: 'cache', key }, name: 'qwen-ckpt-q4' } });

    // In the cache list (what the Model cache panel shows), nothing else.
    const urls = (await client.listCachedModels()).map((f) => f.url).sort();
    expect(urls).toEqual(['config.json', 'generation_config.json', 'onnx/model_q4.onnx', 'router.json', 'tokenizer.json', 'tokenizer_config.json'].map((p) => key + p));

    // "Use it": the engine loads the cached folder by its ref.
    let info;
    for await (const e of client.loadModel({ source: { kind: 'cache', key }, preferredDevice: 'wasm' })) if (e.type === 'model.loaded') info = e.info;
    expect(info).toMatchObject({ name: 'qwen-ckpt-q4', onnx: { path: 'onnx/model_q4.onnx', variant: 'q4' }, config: { modelType: 'qwen2', layers: 2 }, device: { ep: 'wasm' }, template: 'qwen', templateFrom: 'router.json' });

    // The same runtime's model: last-position logits vs the float64 reference on the dequantised weights.
    const loaded = await runtime.load({ source: { kind: 'cache', key }, preferredDevice: 'wasm' }, { onEvent: () => undefined });
    try {
      const logits = await loaded.model.forward(TOKENS);
      const c = ckpt.config;
      const ref = referenceForward(c, dequantisedWeights(c, ckpt.weights), TOKENS).logits.subarray((TOKENS.length - 1) * c.vocabSize);
      expect(logits.length).toBe(c.vocabSize);
      let maxErr = 0;
      for (let i = 0; i < ref.length; i++) maxErr = Math.max(maxErr, Math.abs((logits[i] ?? NaN) - (ref[i] ?? 0)));
      expect(maxErr).toBeLessThan(1e-3);
    } finally {
      await loaded.dispose();
    }

    // The CLI's converter (core convertCheckpoint, as `cli convert` runs it) writes the same ONNX bytes.
    const sink = createMemoryModelSink();
    await runConversion(convertCheckpoint(createMemoryModelSource(ckpt.files, 'cli'), sink));
    expect(await cache.cachedSource(createMemoryModelSource({}, key)).readBytes('onnx/model_q4.onnx')).toEqual(sink.files.get('onnx/model_q4.onnx'));
  }, 60_000);

  it('converting again under the same name replaces the folder (no duplicates)', async () => {
    const { client } = connect();
    await collect(client.convertModel(picked(ckpt)));
    await collect(client.convertModel(picked(ckpt)));
    expect((await client.listCachedModels()).length).toBe(6);
  });

  it('a missing tokenizer: a message that says what to copy, and nothing in the cache', async () => {
    const { client } = connect();
    await expect(collect(client.convertModel(picked(makeTestCheckpoint({ withoutTokenizer: true }))))).rejects.toThrow(
      /picked folder qwen-ckpt has no tokenizer\.json\. .*copy them from the base model's repository/,
    );
    expect(await client.listCachedModels()).toEqual([]);
  });

  it('a truncated safetensors file and an unsupported architecture: clear messages, nothing in the cache', async () => {
    const { client } = connect();
    const truncated = makeTestCheckpoint();
    const st = truncated.files.get('model.safetensors') as Uint8Array;
    truncated.files.set('model.safetensors', st.subarray(0, st.length - 10));
    await expect(collect(client.convertModel(picked(truncated)))).rejects.toThrow(/model\.safetensors is truncated/);
    const mistral = makeTestCheckpoint();
    mistral.files.set('config.json', JSON.stringify({ ...JSON.parse(mistral.files.get('config.json') as string), model_type: 'mistral', architectures: ['MistralForCausalLM'] }));
    await expect(collect(client.convertModel(picked(mistral)))).rejects.toThrow(/model_type "mistral" is not supported; use a Qwen2 \("qwen2"\) or Llama \("llama"\) checkpoint/);
    expect(await client.listCachedModels()).toEqual([]);
  });

  it('cancel while the folder is being written, and a cache write that fails half-way: nothing of the folder is left', async () => {
    // The store is slow on the ONNX file (the last, large write): Cancel arrives after the small files are in the cache.
    const slow = createInMemoryCacheStore();
    const a = connect({ ...slow, put: async (url, chunks) => (url.endsWith('.onnx') && (await new Promise((r) => setTimeout(r, 300))), slow.put(url, chunks)) });
    const controller = new AbortController();
    const events: ModelConvertEvent[] = [];
    await expect(
      (async () => {
        for await (const e of a.client.convertModel(picked(ckpt), { signal: controller.signal })) {
          events.push(e);
          if (e.type === 'convert.fileWritten' && e.path === 'router.json') {
            expect((await a.client.listCachedModels()).length).toBeGreaterThan(0); // half-written at this point
            controller.abort();
          }
        }
      })(),
    ).rejects.toThrow(/cancel|abort/i);
    expect(events.some((e) => e.type === 'convert.cached')).toBe(false);
    expect(await a.client.listCachedModels()).toEqual([]);

    // The store fails on the ONNX file, after config/tokenizer/router files were written.
    const inner = createInMemoryCacheStore();
    const b = connect({ ...inner, put: async (url, chunks) => (url.endsWith('.onnx') ? Promise.reject(new Error('disk I/O error')) : inner.put(url, chunks)) });
    await expect(collect(b.client.convertModel(picked(ckpt)))).rejects.toThrow(/disk I\/O error/);
    expect(await b.client.listCachedModels()).toEqual([]);
  });

  it('a URL prefix (read with Range requests) → cached under the folder’s name; a 404 prefix says what is missing', async () => {
    const small = makeTestCheckpoint({ family: 'llama', seed: 6 });
    const http = await serve(small.files);
    try {
      const { client } = connect();
      const events = await collect(client.convertModel({ source: { kind: 'url', prefix: 'ckpts/llama-tiny/' }, baseUrl: http.url }));
      expect(events.at(-1)).toMatchObject({ type: 'convert.cached', model: { ref: { kind: 'cache', key: `${http.url}converted/llama-tiny-q4/` } } });
      expect(http.ranges()).toBeGreaterThan(small.weights.size - 2); // tensor by tensor, not the whole file
      expect((await client.listCachedModels()).every((f) => f.url.startsWith(`${http.url}converted/llama-tiny-q4/`))).toBe(true);
      await expect(collect(client.convertModel({ source: { kind: 'url', prefix: `${http.url}nowhere/` }, baseUrl: http.url }))).rejects.toThrow(/has no config\.json/);
    } finally {
      http.server.close();
    }
  });

  it('names: a Hugging Face resolve/main/ URL → its repository; a URL prefix resolves against the page', () => {
    expect(checkpointNameOfUrl('https://huggingface.co/ulab-ai/Router-R1-Qwen2.5-3B-Instruct/resolve/main/')).toBe('Router-R1-Qwen2.5-3B-Instruct');
    expect(checkpointNameOfUrl('http://127.0.0.1:8000/ckpts/my model/')).toBe('my-model');
    expect(convertedCacheKey('http://app.test/sub/index.html', 'x y')).toBe('http://app.test/sub/converted/x-y-q4/');
  });
});

/** The checkpoint's files at http://127.0.0.1:<port>/ckpts/llama-tiny/, with HTTP Range support. */
async function serve(files: Map<string, Uint8Array | string>): Promise<{ url: string; server: Server; ranges(): number }> {
  let ranges = 0;
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/').replace(/^\/ckpts\/llama-tiny\//, '');
    const file = files.get(path);
    if (file === undefined) return void res.writeHead(404).end();
    const body = typeof file === 'string' ? Buffer.from(file) : Buffer.from(file.buffer, file.byteOffset, file.byteLength);
    const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '');
    if (m === null) return void res.writeHead(200, { 'Content-Length': body.length }).end(body);
    ranges++;
    const [a, b] = [Number(m[1]), Math.min(Number(m[2]), body.length - 1)];
    res.writeHead(206, { 'Content-Length': b - a + 1, 'Content-Range': `bytes ${a}-${b}/${body.length}` }).end(body.subarray(a, b + 1));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, server, ranges: () => ranges };
}
