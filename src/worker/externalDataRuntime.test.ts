/**
 * Models whose weights sit in an ONNX external data file: the converter writes
 * `onnx/model_q4.onnx` + `onnx/model_q4.onnx_data` past 2 GiB (the 3B presets), or always with
 * `externalData: 'always'`, which these tests use on a tiny Qwen2-shaped checkpoint. The browser's policy
 * runtime on onnxruntime-web (wasm, in Node) loads that folder from picked files, from the model cache after
 * a conversion in the worker, and from the cache again after a reload (a new runtime over the same store):
 * logits and greedy tokens equal those of the same checkpoint converted inline. A device-loss reopen on wasm
 * keeps the external data. A truncated or missing data file, or data onnxruntime cannot find, fails with a
 * message that says what to do, and the runtime loads the next model as before.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEngineChannels } from '../testing/workerHarness';
import { createInProcessEngine, type ModelConvertEvent, type ModelConvertRequest, type ModelLoadRequest } from '../core/index';
import { convertCheckpoint, runConversion } from '../core/model/convert';
import { createMemoryModelSink, createMemoryModelSource } from '../core/model/modelSource';
import { makeTestCheckpoint, type TestCheckpoint } from '../testing/testCheckpoints';
import type { LoadedPolicyModel } from '../core/run/policyModels';
import { convertedCacheKey } from '../adapters/models/convertToCache';
import { createInMemoryCacheStore, createModelCache, type CacheStore } from '../adapters/models/modelCache';
import { createOrtLanguageModel } from '../adapters/ort/ortLanguageModel';
import { createWebSession, loadFailureMessage, WebModelLoadError } from '../adapters/ort/webSession';
import { EngineClient } from './engineClient';
import { createBrowserPolicyRuntime } from './policyRuntime';

// onnxruntime-web in Node: its wasm files from the package, one thread (src/testing/workerHarness.ts).
vi.mock('../adapters/ort/ortEnvironment', async (importOriginal) => (await import('../testing/workerHarness')).ortEnvironmentInNode(await importOriginal()));

const BASE = 'http://app.test/';
const PROMPT = [269, 117, 115, 260, 10, 87, 104, 111];
const STEPS = 8;
const ONNX = 'onnx/model_q4.onnx';
const DATA = 'onnx/model_q4.onnx_data';
const channels = createEngineChannels();
afterAll(() => channels.closeAll());

function runtimeOver(store: CacheStore) {
  return createBrowserPolicyRuntime({ cache: createModelCache({ store, estimate: async () => ({}) }) });
}

function connect(store: CacheStore): EngineClient {
  const engine = createInProcessEngine({ now: () => 0, policyRuntime: runtimeOver(store) });
  return channels.connect(engine);
}

/** Files as the folder picker hands them over (paths inside the folder, Blobs). */
const asPicked = (files: Map<string, Uint8Array | string>) => [...files].map(([path, contents]) => ({ path, file: new Blob([contents as BlobPart]) }));
const upload = (files: Map<string, Uint8Array | string>, label: string): ModelLoadRequest => ({ source: { kind: 'upload', files: asPicked(files), label }, preferredDevice: 'wasm' });

async function convertTo(ckpt: TestCheckpoint, externalData: 'always' | 'never'): Promise<Map<string, Uint8Array | string>> {
  const sink = createMemoryModelSink();
  await runConversion(convertCheckpoint(createMemoryModelSource(ckpt.files, 'ckpt'), sink, { externalData }));
  return new Map(sink.files);
}

/** Greedy decoding: the logits of every step and the tokens picked. */
async function greedy(loaded: LoadedPolicyModel): Promise<{ logits: Float32Array[]; tokens: number[] }> {
  const logits: Float32Array[] = [];
  const tokens: number[] = [];
  let input = PROMPT;
  for (let i = 0; i < STEPS; i++) {
    const row = await loaded.model.forward(input);
    logits.push(row.slice());
    let best = 0;
    for (let v = 1; v < row.length; v++) if ((row[v] ?? -Infinity) > (row[best] ?? -Infinity)) best = v;
    tokens.push(best);
    input = [best];
  }
  return { logits, tokens };
}

async function loadAndDecode(load: () => Promise<LoadedPolicyModel>): Promise<{ logits: Float32Array[]; tokens: number[]; files: { path: string; bytes: number }[] }> {
  const loaded = await load();
  try {
    return { ...(await greedy(loaded)), files: loaded.info.files };
  } finally {
    await loaded.dispose();
  }
}

function expectSameDecoding(got: { logits: Float32Array[]; tokens: number[] }, want: { logits: Float32Array[]; tokens: number[] }): void {
  expect(got.tokens).toEqual(want.tokens);
  let maxErr = 0;
  want.logits.forEach((row, s) => row.forEach((x, v) => (maxErr = Math.max(maxErr, Math.abs((got.logits[s]?.[v] ?? NaN) - x)))));
  expect(maxErr).toBeLessThanOrEqual(1e-6);
}

const collect = async (events: AsyncIterable<ModelConvertEvent>): Promise<ModelConvertEvent[]> => {
  const out: ModelConvertEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
};

describe('models with external data load in the browser policy runtime (onnxruntime-web wasm)', () => {
  let ckpt: TestCheckpoint;
  let inline: Map<string, Uint8Array | string>;
  let external: Map<string, Uint8Array | string>;
  let reference: { logits: Float32Array[]; tokens: number[] };

  beforeAll(async () => {
    ckpt = makeTestCheckpoint({ family: 'qwen2', dtype: 'BF16', seed: 9 });
    inline = await convertTo(ckpt, 'never');
    external = await convertTo(ckpt, 'always');
    expect([...inline.keys()]).not.toContain(DATA);
    expect((external.get(DATA) as Uint8Array).byteLength).toBeGreaterThan(0);
    expect((external.get(ONNX) as Uint8Array).byteLength).toBeLessThan((inline.get(ONNX) as Uint8Array).byteLength / 2); // the weights went out
    reference = await loadAndDecode(() => runtimeOver(createInMemoryCacheStore()).load(upload(inline, 'inline'), { onEvent: () => undefined }));
  }, 60_000);

  it('picked files: the .onnx and its data file load; logits and greedy tokens = the inline model’s; the info lists the data file', async () => {
    const got = await loadAndDecode(() => runtimeOver(createInMemoryCacheStore()).load(upload(external, 'external'), { onEvent: () => undefined }));
    expectSameDecoding(got, reference);
    expect(got.files.map((f) => f.path)).toEqual([ONNX, 'model_q4.onnx_data']);
    expect(got.files[1]?.bytes).toBe((external.get(DATA) as Uint8Array).byteLength);

    // A flat pick (no onnx/ folder) puts both ONNX files under onnx/.
    const flat = new Map([...external].map(([p, c]) => [p.replace(/^onnx\//, ''), c]));
    expectSameDecoding(await loadAndDecode(() => runtimeOver(createInMemoryCacheStore()).load(upload(flat, 'flat'), { onEvent: () => undefined })), reference);
  }, 60_000);

  it('converted in the worker with external data → the cache holds the data file; loads from the cache, and again after a reload', async () => {
    const store = createInMemoryCacheStore();
    const client = connect(store);
    const auto: ModelConvertRequest = { source: { kind: 'upload', files: asPicked(ckpt.files), label: 'picked folder ext-ckpt' }, baseUrl: BASE };
    const req: ModelConvertRequest = { ...auto, externalData: 'always' };
    const events = await collect(client.convertModel(req));
    expect(events.find((e) => e.type === 'convert.encoded')).toMatchObject({ externalData: true });
    const key = convertedCacheKey(BASE, 'ext-ckpt');
    expect(events.at(-1)).toMatchObject({ type: 'convert.cached', model: { ref: { kind: 'cache', key } } });
    const cached = await client.listCachedModels();
    expect(cached.map((f) => f.url)).toContain(key + DATA);
    expect(cached.find((f) => f.url === key + DATA)?.bytes).toBe((external.get(DATA) as Uint8Array).byteLength);

    // Through the engine (what "Use it" does): the model info lists both files.
    let info;
    for await (const e of client.loadModel({ source: { kind: 'cache', key }, preferredDevice: 'wasm' })) if (e.type === 'model.loaded') info = e.info;
    expect(info).toMatchObject({ onnx: { path: ONNX, variant: 'q4' }, device: { ep: 'wasm' }, files: [{ path: ONNX }, { path: 'model_q4.onnx_data' }] });

    // A reload: a new runtime over the same store, nothing but the cache to read from.
    const got = await loadAndDecode(() => runtimeOver(store).load({ source: { kind: 'cache', key }, preferredDevice: 'wasm' }, { onEvent: () => undefined }));
    expectSameDecoding(got, reference);

    // The default ('auto') keeps a tiny model inline, as before.
    const again = await collect(client.convertModel(auto));
    expect(again.find((e) => e.type === 'convert.encoded')).toMatchObject({ externalData: false });
    expect((await client.listCachedModels()).map((f) => f.url)).not.toContain(key + DATA);
  }, 60_000);

  it('a device-loss reopen on wasm keeps the external data: same logits', async () => {
    const files = external;
    const session = await createWebSession(files.get(ONNX) as Uint8Array, { preferred: 'wasm', externalData: [{ path: 'model_q4.onnx_data', data: files.get(DATA) as Uint8Array }] });
    const reopened = await session.reopenOnWasm('test: device lost');
    const model = createOrtLanguageModel(reopened, { eosTokenIds: [270], vocabSize: ckpt.config.vocabSize });
    try {
      const logits = await model.forward(PROMPT);
      let maxErr = 0;
      (reference.logits[0] ?? new Float32Array()).forEach((x, v) => (maxErr = Math.max(maxErr, Math.abs((logits[v] ?? NaN) - x))));
      expect(maxErr).toBeLessThanOrEqual(1e-6);
    } finally {
      await model.dispose();
    }
  }, 60_000);

  it('a truncated or missing data file: a message that says what to do, and the runtime loads the next model', async () => {
    const store = createInMemoryCacheStore();
    const client = connect(store);
    const runtime = runtimeOver(store);
    const data = external.get(DATA) as Uint8Array;
    const truncated = new Map(external).set(DATA, data.subarray(0, data.byteLength - 100));
    await expect(runtime.load(upload(truncated, 'truncated'), { onEvent: () => undefined })).rejects.toThrow(/model_q4\.onnx_data is \d+ bytes but the model reads up to byte \d+: it is truncated\. Clear it from the cache and download it again/);
    const missing = new Map(external);
    missing.delete(DATA);
    const loadVia = async (files: Map<string, Uint8Array | string>, label: string) => {
      for await (const e of client.loadModel(upload(files, label))) void e;
    };
    await expect(loadVia(missing, 'missing')).rejects.toThrow(/keeps its weights in model_q4\.onnx_data, which is missing; download it next to the \.onnx file/);

    // Still usable: the runtime and the engine load the complete folder.
    expectSameDecoding(await loadAndDecode(() => runtime.load(upload(external, 'external'), { onEvent: () => undefined })), reference);
    await loadVia(external, 'external');
  }, 60_000);

  it('external data onnxruntime cannot find (wrong name): WebModelLoadError naming the files', async () => {
    const err = await createWebSession(external.get(ONNX) as Uint8Array, { preferred: 'wasm', externalData: [{ path: 'other.onnx_data', data: external.get(DATA) as Uint8Array }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebModelLoadError);
    expect((err as Error).message).toMatch(/onnxruntime-web \(wasm\) could not load the model \(\d+ bytes \+ external data other\.onnx_data \(\d+ bytes\)\)/);
  }, 60_000);

  it('a model near the wasm heap’s ceiling, or an allocation failure on wasm: the message suggests WebGPU or a smaller model', () => {
    const bytes = (n: number) => ({ byteLength: n }) as Uint8Array; // sizes only
    const big = loadFailureMessage(bytes(1 << 20), [{ path: 'model_q4.onnx_data', data: bytes(3 * 2 ** 30) }], 'wasm', "Can't create a session.");
    expect(big).toMatch(/\(1048576 bytes \+ external data model_q4\.onnx_data \(3221225472 bytes\)\): Can't create a session\. The weights \(3\.00 GiB\) probably do not fit in wasm memory \(4 GiB at most.*use WebGPU, or a smaller model/);
    expect(loadFailureMessage(bytes(1000), [], 'wasm', 'RangeError: WebAssembly.Memory.grow(): Maximum memory size exceeded')).toMatch(/use WebGPU, or a smaller model/);
    expect(loadFailureMessage(bytes(1000), [], 'wasm', 'Deserialize tensor x failed.')).not.toMatch(/WebGPU/);
    expect(loadFailureMessage(bytes(1000), [], 'webgpu', 'out of memory')).not.toMatch(/smaller model/);
  });
});
