/**
 * Converting a checkpoint in the browser: a Qwen2-shaped safetensors checkpoint the test
 * writes (bf16, two shards with an index, config and tokenizer files; random weights, a few MB so the
 * conversion takes long enough to watch) is picked with the folder chooser in "Convert a checkpoint";
 * the engine worker converts it into the model cache with progress (tensor n of N, bytes); "Use it"
 * (pressed with the keyboard) loads the cached folder as the policy on wasm and it generates tokens.
 * A checkpoint without tokenizer.json fails with a message that says what to copy, and caches nothing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, test } from '../fixtures';
import { ModelPage } from '../pages/modelPage';
import { makeTestCheckpoint, type TestCheckpointOptions } from '../../src/testing/testCheckpoints';

const root = mkdtempSync(join(tmpdir(), 'e2e-convert-'));
test.afterAll(() => rmSync(root, { recursive: true, force: true }));

function writeCheckpoint(name: string, opts: TestCheckpointOptions): string {
  const dir = join(root, name);
  for (const [path, contents] of makeTestCheckpoint(opts).files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), contents);
  }
  return dir;
}

/** Record every text the conversion's progress line shows (React may replace it between polls). */
async function recordProgress(model: ModelPage): Promise<void> {
  await model.page.evaluate(() => {
    const w = window as unknown as { __convertProgress: string[] };
    w.__convertProgress = [];
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid="convert.progress.tensors"]')?.textContent;
      if (text != null && w.__convertProgress.at(-1) !== text) w.__convertProgress.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

test.describe('convert a checkpoint in the browser', () => {
  test('picks a checkpoint folder, converts it in the worker with progress, uses it and generates on wasm', async ({ app }) => {
    test.setTimeout(90_000);
    // 6 layers, hidden 256: ~6M parameters, 11 MB of bf16 — a conversion of a visible length, still a tiny model.
    const dir = writeCheckpoint('e2e-ckpt', { family: 'qwen2', dtype: 'BF16', shards: 2, seed: 9, config: { num_hidden_layers: 6, hidden_size: 256, intermediate_size: 1024, num_attention_heads: 8, num_key_value_heads: 2 } });
    const model = new ModelPage(app);
    await model.open();
    await model.waitLoaded(); // the embedded default (cached on opening): start from an empty cache
    await app.byId('cache.clear').click();
    await expect(app.byId('cache.empty')).toBeVisible();
    await model.preferDevice('wasm');

    await app.byId('model.source.convert').check();
    await expect(app.byId('convert.panel')).toBeVisible();
    await recordProgress(model);
    await app.byId('convert.files.folder').setInputFiles(dir);
    await expect(app.byId('convert.done')).toBeVisible({ timeout: 60_000 });
    await expect(app.byId('convert.done')).toContainText('e2e-ckpt-q4');

    // Progress was shown: "tensor n of N · x / y MB", n growing to N.
    const seen = await model.page.evaluate(() => (window as unknown as { __convertProgress: string[] }).__convertProgress);
    const counts = seen.map((t) => /tensor (\d+) of (\d+)/.exec(t)).filter((m) => m !== null).map((m) => [Number(m[1]), Number(m[2])] as const);
    expect(counts.length, `progress texts seen: ${JSON.stringify(seen)}`).toBeGreaterThanOrEqual(2);
    const total = counts[0]?.[1] ?? 0;
    expect(total).toBe(2 + 6 * 12); // embeddings + final norm + 12 per layer (Qwen2: q/k/v biases; tied head)
    expect(counts.at(-1)?.[0]).toBeGreaterThan(counts[0]?.[0] ?? 0);
    expect(seen.some((t) => /MB|KB/.test(t))).toBe(true);

    // In the model cache, as a folder with its own Use button.
    await expect(app.byId('cache.list')).toContainText('converted/e2e-ckpt-q4/');
    await expect(app.byId('cache.item.0.use')).toBeVisible();

    // "Use it" with the keyboard: loads the cached folder as the policy, on wasm.
    await app.byId('convert.use').focus();
    await model.page.keyboard.press('Enter');
    await model.waitLoaded();
    await expect(model.loaded).toContainText('e2e-ckpt-q4');
    await expect(model.deviceEp).toHaveText('wasm');
    const s = await app.state();
    expect(s.model).toMatchObject({ name: 'e2e-ckpt-q4', ref: { kind: 'cache' }, onnx: { variant: 'q4' }, config: { modelType: 'qwen2', layers: 6, hiddenSize: 256 } });

    // Generate a few tokens (random weights: gibberish, run through to the end by the environment).
    await model.setMaxNewTokens(8);
    await model.start();
    await model.waitFinished(60_000);
    const t = await app.trajectory();
    expect(t.policy.kind).toBe('onnx');
    expect(t.rounds.length).toBeGreaterThanOrEqual(1);
    expect(t.rounds[0]?.tokenIds?.length ?? 0).toBeGreaterThan(0);
  });

  test('a Router-R1 preset cannot be downloaded here: Convert fails with a clear message, nothing cached, the app stays usable', async ({ app, consoleGuard }) => {
    consoleGuard.allow(/huggingface\.co|Failed to load resource|ERR_/);
    const model = new ModelPage(app);
    await model.open();
    await model.waitLoaded();
    await app.byId('cache.clear').click();
    await app.byId('model.source.preset').check();
    await app.byId('model.preset').selectOption('router-r1-qwen');
    await app.byId('model.preset.convert').click();
    await expect(app.byId('convert.error')).toContainText(/huggingface\.co/);
    await expect(app.byId('cache.empty')).toBeVisible();
    await app.byId('model.source.embedded').check();
    await app.byId('model.load').click();
    await model.waitLoaded();
  });

  test('a checkpoint without tokenizer.json: a clear error, nothing in the cache', async ({ app }) => {
    const dir = writeCheckpoint('no-tokenizer', { withoutTokenizer: true });
    const model = new ModelPage(app);
    await model.open();
    await model.waitLoaded();
    await app.byId('cache.clear').click();
    await expect(app.byId('cache.empty')).toBeVisible();
    await app.byId('model.source.convert').check();
    await app.byId('convert.files.folder').setInputFiles(dir);
    await expect(app.byId('convert.error')).toContainText(/has no tokenizer\.json.*copy them from the base model's repository/);
    await app.byId('cache.refresh').click();
    await expect(app.byId('cache.empty')).toBeVisible();
  });
});
