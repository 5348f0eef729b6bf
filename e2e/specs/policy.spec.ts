/**
 * The model policy in the app: load the committed tiny-router by URL prefix and by
 * the folder picker, generate on wasm and on WebGPU (SwiftShader here: correct, slow), watch its tokens
 * stream into a round before the round is recorded, stop mid-generation, fork a round and compare the two
 * branches, and see why WebGPU was not used when the browser refuses it; load a model whose weights are in
 * an ONNX external data file (as the 3B presets convert) by URL prefix and generate. The models have random weights:
 * its turns are gibberish (invalid actions), which the environment runs through to the final turn.
 */
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { expect, test } from '../fixtures';
import { ModelPage } from '../pages/modelPage';
import type { AppPage } from '../pages/appPage';
import type { Trajectory } from '../../src/core';
import { convertCheckpoint, runConversion } from '../../src/core/model/convert';
import { createMemoryModelSink, createMemoryModelSource } from '../../src/core/model/modelSource';
import { makeTestCheckpoint } from '../../src/testing/testCheckpoints';

const TINY_DIR = fileURLToPath(new URL('../../public/models/tiny-router', import.meta.url));
const TINY_URL = './models/tiny-router/';

test.describe('model policy', () => {
  test('loads the tiny model by URL prefix on wasm, shows the device and memory, and lists it in the cache', async ({ app }) => {
    const model = new ModelPage(app);
    await model.open();
    // The embedded default policy loaded on opening went through the cache: start from an empty one.
    await model.waitLoaded();
    await app.byId('cache.clear').click();
    await expect(app.byId('cache.empty')).toBeVisible();
    await model.preferDevice('wasm');
    await model.loadByUrl(TINY_URL);
    await expect(model.deviceEp).toHaveText('wasm');
    await expect(app.byId('device.memory')).toContainText(/KB|MB/);
    await expect(model.loaded).toContainText('tiny-router');
    await expect(model.loaded).toContainText('compact');
    const s = await app.state();
    expect(s.model).toMatchObject({ name: 'tiny-router', template: 'compact', device: { ep: 'wasm', fallbackReason: null }, config: { layers: 2, vocabSize: 272 } });

    // The URL load went through the model cache: listed with its size, deleted, cleared.
    await expect(app.byId('cache.item.0')).toContainText('models/tiny-router/');
    await expect(app.byId('cache.item.0.size')).toContainText(/KB/);
    await expect(app.byId('cache.quota')).toContainText('used of');
    await app.byId('cache.item.0.delete').click();
    await expect(app.byId('cache.empty')).toBeVisible();
    await model.loadByUrl(TINY_URL); // kept model: no reload, nothing new cached
    await app.byId('model.source.embedded').check();
    await app.byId('model.embedded').selectOption('tiny-router');
    await app.byId('model.load').click();
    await model.waitLoaded();
    await expect(model.loaded).toContainText('tiny-router');
    await expect(app.byId('cache.list')).toBeVisible();
    await app.byId('cache.clear').click();
    await expect(app.byId('cache.empty')).toBeVisible();
  });

  test('loads by the folder picker, generates on wasm, and streams tokens into a round before it is recorded', async ({ app }) => {
    const model = new ModelPage(app);
    await model.open();
    await model.preferDevice('wasm');
    await model.loadByFolderPicker(TINY_DIR);
    await expect(model.loaded).toContainText('picked folder');
    await expect(model.deviceEp).toHaveText('wasm');
    await model.setMaxNewTokens(120);
    await model.clearStreamSamples();
    const t = await generateEpisode(app, model);
    // Gibberish turns are invalid actions: the environment still runs them through to the final turn.
    expect(t.rounds.every((r) => r.rawText.length > 0 && (r.tokenIds?.length ?? 0) > 0)).toBe(true);
    // The streamed text of round 0 grew over several frames while round 0 was not recorded yet.
    const samples = (await model.streamSamples()).filter((x) => x.roundIndex === 0 && x.rounds === 0 && x.chars > 0);
    expect(new Set(samples.map((x) => x.chars)).size, 'distinct streamed lengths of round 1 before it was recorded').toBeGreaterThanOrEqual(2);
    expect(samples.at(-1)?.chars ?? 0).toBeGreaterThan(samples[0]?.chars ?? 0);
    await expect(app.rounds.first()).toBeVisible();
  });

  test('generates on WebGPU and stops mid-generation, keeping the rounds recorded so far', async ({ app }) => {
    test.setTimeout(90_000);
    const model = new ModelPage(app);
    await model.open();
    await model.preferDevice('webgpu');
    await model.loadByUrl(TINY_URL);
    await expect(model.deviceEp).toHaveText('webgpu');
    await expect(app.byId('device.adapter')).not.toHaveText('—');
    await model.setMaxNewTokens(120);
    await model.start();
    // Round 1 recorded, round 2 streaming: stop now.
    await expect.poll(async () => {
      const s = await app.state();
      return s.rounds >= 1 && s.streaming !== null && s.streaming.chars > 0 && s.phase === 'generating';
    }, { timeout: 60_000, intervals: [50] }).toBe(true);
    await expect(app.byId(`timeline.round.${(await app.state()).streaming?.roundIndex}.stream.text`)).toBeVisible();
    await app.byId('episode.stop').click();
    await model.waitFinished();
    const t = await app.trajectory();
    expect(t.status).toBe('aborted');
    expect(t.rounds.length).toBeGreaterThanOrEqual(1);
    expect(t.policy.kind).toBe('onnx');
    await expect(app.byId('timeline.end')).toContainText('aborted');
    await expect(app.rounds).toHaveCount(t.rounds.length);
  });

  test('forks a round with an edited route and a what-if reply, and shows both branches side by side', async ({ app }) => {
    const model = new ModelPage(app);
    await model.open();
    await model.preferDevice('wasm');
    await model.loadByUrl(TINY_URL);
    await model.setMaxNewTokens(24);
    await model.start();
    await model.waitFinished();
    const base = await app.trajectory();
    expect(base.rounds.length).toBeGreaterThanOrEqual(2);
    const poolName = base.pool[0]?.name ?? '';

    await app.byId('timeline.round.1.fork').click();
    await expect(app.byId('fork.editor')).toBeVisible();
    await app.byId('fork.think').fill('Ask a helper instead.');
    await app.byId('fork.action.route').check();
    await app.byId('fork.model').selectOption(poolName);
    await app.byId('fork.query').fill('who is the author');
    await app.byId('fork.replyOn').check();
    await app.byId('fork.reply').fill('The author is Ada Lovelace.');
    await app.byId('fork.run').click();
    await model.waitFinished();

    const fork = await app.trajectory();
    expect(fork.id).not.toBe(base.id);
    expect(fork.rounds[0]?.rawText).toBe(base.rounds[0]?.rawText);
    expect(fork.rounds[1]?.action).toMatchObject({ type: 'route', modelName: poolName });
    expect(fork.rounds[1]?.call?.reply).toBe('The author is Ada Lovelace.');
    await expect(app.byId('branches')).toBeVisible();
    await expect(app.byId('branches.base.round.1')).toContainText(base.rounds[1]?.action.type === 'route' ? 'route' : 'invalid');
    await expect(app.byId('branches.fork.round.1')).toContainText(`route → ${poolName}: who is the author`);
    await expect(app.byId('branches.base.status')).toHaveText(base.status);
    await expect(app.byId('branches.fork.status')).toHaveText(fork.status);
    await expect(app.byId('branches.fork.cost')).toContainText('units');
  });

  test('loads a model with an external data file (model_q4.onnx_data) by URL prefix on wasm and generates', async ({ app }) => {
    const http = await serveExternalDataModel();
    try {
      const model = new ModelPage(app);
      await model.open();
      await model.preferDevice('wasm');
      await model.loadByUrl(http.url);
      await expect(model.deviceEp).toHaveText('wasm');
      await expect(app.byId('device.files')).toContainText('model_q4.onnx_data');
      const s = await app.state();
      expect(s.model?.files.map((f) => f.path)).toEqual(['onnx/model_q4.onnx', 'model_q4.onnx_data']);
      expect(http.requested()).toContain('onnx/model_q4.onnx_data');
      await model.setMaxNewTokens(24);
      const t = await generateEpisode(app, model);
      expect(t.rounds.every((r) => (r.tokenIds?.length ?? 0) > 0)).toBe(true);
    } finally {
      http.server.close();
    }
  });

  test('a Router-R1 preset that cannot be downloaded here fails with a clear message and leaves the app usable', async ({ app, consoleGuard }) => {
    consoleGuard.allow(/huggingface\.co|Failed to load resource|ERR_/);
    const model = new ModelPage(app);
    await model.open();
    await app.byId('model.source.preset').check();
    await app.byId('model.preset').selectOption('router-r1-qwen');
    await expect(app.byId('model.presetUrl')).toHaveValue('https://huggingface.co/ulab-ai/Router-R1-Qwen2.5-3B-Instruct/resolve/main/');
    await app.byId('model.load').click();
    await expect(app.byId('model.error')).toContainText(/huggingface\.co/);
    await app.byId('model.source.embedded').check();
    await app.byId('model.load').click();
    await model.waitLoaded();
  });
});

/** A browser without a WebGPU adapter (no --enable-unsafe-webgpu): requestAdapter() gives none. */
test('when WebGPU is refused the device panel says why and the model runs on wasm', async ({ playwright }) => {
  const browser = await playwright.chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const context = await browser.newContext({ baseURL: test.info().project.use.baseURL });
    const page = await context.newPage();
    const errors = collectErrors(page);
    // The page's own navigator.gpu goes too (the engine's worker probes its own, which has no adapter here).
    await page.addInitScript(() => Object.defineProperty(navigator, 'gpu', { value: undefined }));
    await page.goto('/?testApi=1');
    await page.getByTestId('mode.model').check();
    await page.getByTestId('device.prefer').selectOption('webgpu');
    await page.getByTestId('model.load').click();
    await expect(page.getByTestId('model.loaded')).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId('device.ep')).toHaveText('wasm');
    await expect(page.getByTestId('device.fallback')).toContainText(/^WebGPU unavailable: .+, using wasm$/);
    await expect(page.getByTestId('device.fallback')).toContainText('adapter');
    expect(errors, 'the page must not log errors').toEqual([]);
  } finally {
    await browser.close();
  }
});

/** Runs one episode with the loaded model: it finishes, was generated by the ONNX policy and has at least one round. */
async function generateEpisode(app: AppPage, model: ModelPage): Promise<Trajectory> {
  await model.start();
  await model.waitFinished();
  const t = await app.trajectory();
  expect(t.policy.kind).toBe('onnx');
  expect(t.status).not.toBe('failed');
  expect(t.rounds.length).toBeGreaterThanOrEqual(1);
  return t;
}

function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  return errors;
}

/**
 * A tiny Qwen2-shaped checkpoint converted with its weights in `onnx/model_q4.onnx_data` (external data
 * 'always'), served at http://127.0.0.1:<port>/ext/ with CORS and HTTP Range (what huggingface.co does).
 */
async function serveExternalDataModel(): Promise<{ url: string; server: ReturnType<typeof createServer>; requested(): string[] }> {
  const ckpt = makeTestCheckpoint({ family: 'qwen2', dtype: 'BF16', seed: 9 });
  const sink = createMemoryModelSink();
  await runConversion(convertCheckpoint(createMemoryModelSource(ckpt.files, 'ext-tiny'), sink, { externalData: 'always' }));
  const requested: string[] = [];
  const server = createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Range');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/').replace(/^\/ext\//, '');
    const file = sink.files.get(path);
    if (file === undefined) return void res.writeHead(404).end();
    requested.push(path);
    const body = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
    const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '');
    if (m === null) return void res.writeHead(200, { 'Content-Length': body.length, 'Content-Type': 'application/octet-stream' }).end(body);
    const [a, b] = [Number(m[1]), Math.min(Number(m[2]), body.length - 1)];
    res.writeHead(206, { 'Content-Length': b - a + 1, 'Content-Range': `bytes ${a}-${b}/${body.length}`, 'Content-Type': 'application/octet-stream' }).end(body.subarray(a, b + 1));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/ext/`, server, requested: () => requested };
}
