/**
 * The embedded default policy, as a new user meets it: the
 * app opens in the router policy mode with the embedded default (models/embedded.json → router-nano-a0)
 * and the offline pool, no keys and no clicks; one click runs a held-out bank question to an answer
 * through routed rounds on wasm; the α control switches which variant runs (router-nano-a08 from α ≥ 0.5,
 * back to router-nano-a0 at 0, the second time from the model cache) and never replaces a model the
 * user loaded.
 *
 * Needs the trained policies in public/models/ (npm run -s cli -- train-default): a random-weight
 * placeholder does not write a valid route, so the sample-question test fails on it, as it should.
 */
import type { Request } from '@playwright/test';
import { expect, test } from '../fixtures';
import { ModelPage } from '../pages/modelPage';

const A0 = 'router-nano-a0';
const A08 = 'router-nano-a08';

test('the app opens on the embedded default policy and the offline pool, with no keys and no clicks', async ({ app }) => {
  const model = new ModelPage(app);
  await app.openDefault();
  await expect(app.byId('mode.model')).toBeChecked();
  await expect(app.byId('embedded.variant')).toHaveText(`${A0} (trained for α = 0)`);
  await expect(app.byId('model.source.embedded')).toBeChecked();
  await expect(app.byId('model.embedded')).toHaveValue(A0);
  await expect(app.byId('pool.preset')).toHaveValue('offline');
  await expect(app.byId('setup.pool')).toContainText('simulated from recorded scores');
  await expect(app.byId('pool.providers')).toContainText('needs no provider and no key');
  await expect(app.byId('setup.alphaValue')).toHaveText('0.00');
  await model.waitLoaded();
  await expect(model.loaded).toContainText(A0);
  await expect(app.byId('embedded.status')).not.toContainText('loading');
  await expect(app.byId('sample.run')).toBeEnabled();
  const s = await app.state();
  expect(s).toMatchObject({
    mode: 'model',
    poolPreset: 'offline',
    alpha: 0,
    embedded: { variants: [A0, A08], variant: A0, error: null },
    model: { name: A0, template: 'compact', ref: { kind: 'embedded', name: A0 } },
  });
  expect(s.questionCounts['offline']).toBeGreaterThan(500);
});

test('one click (from the keyboard) runs a sample question end to end on wasm: a routed round to an offline model, then an answer', async ({ app }) => {
  test.setTimeout(120_000);
  const model = new ModelPage(app);
  await model.openDefaultOnWasm();
  await model.clearStreamSamples();

  await app.byId('sample.run').focus();
  await app.page.keyboard.press('Enter');
  await expect(app.byId('setup.question')).not.toContainText('Pick a question');
  await model.waitFinished(90_000);

  const t = await app.trajectory();
  expect(t.policy.kind).toBe('onnx');
  expect(t.status, `episode status (${t.rounds.map((r) => r.text).join(' | ')})`).toBe('answered');
  // A <search> round whose call reached a model of the offline pool and got its reply.
  const routed = t.rounds.findIndex((r) => r.action.type === 'route' && r.call !== null && r.call.poolIndex !== null && r.call.error === null);
  expect(routed, `a routed round among: ${t.rounds.map((r) => r.text).join(' | ')}`).toBeGreaterThanOrEqual(0);
  const call = t.rounds[routed]?.call;
  expect(t.rounds[routed]?.text).toMatch(/<search>[\s\S]*<\/search>/);
  expect(t.pool[call?.poolIndex ?? -1]?.provider).toBe('offline');
  expect(call?.reply ?? '').not.toBe('');
  // The last round answers.
  const last = t.rounds.at(-1);
  expect(last?.action.type).toBe('answer');
  expect(last?.text).toMatch(/<answer>[\s\S]*<\/answer>/);
  expect(t.reward?.answer ?? '').not.toBe('');

  // The rounds are on screen: the route with its simulated reply, then the answer.
  await expect(app.rounds).toHaveCount(t.rounds.length);
  await expect(app.roundPart(routed, 'route')).toBeVisible();
  await expect(app.roundPart(routed, 'reply')).toContainText('simulated from recorded scores');
  await expect(app.roundPart(t.rounds.length - 1, 'answer')).toBeVisible();
  await expect(app.reward('format')).toHaveText('0');
  // They streamed in while the policy wrote them.
  expect((await model.streamSamples()).length).toBeGreaterThan(0);
});

test('the α control switches the running variant (a08 from α ≥ 0.5, a0 at 0 from the cache) and keeps a model the user loaded', async ({ app, page }) => {
  test.setTimeout(60_000);
  const model = new ModelPage(app);
  // Folder reads of the engine worker (Playwright reports a dedicated worker's requests to the page's context).
  const reads: string[] = [];
  page.context().on('request', (r: Request) => {
    if (/\/models\/router-nano-a0\/config\.json$/.test(r.url())) reads.push(r.url());
  });
  await app.openDefault();
  await model.waitLoaded();
  expect(reads.length, 'the first load reads the a0 folder over the network').toBeGreaterThan(0);
  const firstReads = reads.length;
  const alpha = app.byId('setup.alpha');

  await alpha.fill('0.8');
  await expect(app.byId('setup.alphaValue')).toHaveText('0.80');
  await expect(app.byId('embedded.variant')).toHaveText(`${A08} (trained for α = 0.8)`);
  await expect.poll(async () => (await app.state()).model?.name, { timeout: 20_000 }).toBe(A08);
  await expect(app.byId('embedded.status')).not.toContainText('loading');
  await expect(model.loaded).toContainText(A08);
  await expect(app.byId('model.embedded')).toHaveValue(A08);
  await expect(app.byId('model.costBias')).toHaveValue('3.2'); // the decoding bias follows α (λ = 4α)

  await alpha.fill('0.5');
  await expect(app.byId('embedded.variant')).toHaveText(`${A08} (trained for α = 0.8)`);

  await alpha.fill('0');
  await expect(app.byId('embedded.variant')).toHaveText(`${A0} (trained for α = 0)`);
  await expect.poll(async () => (await app.state()).model?.name, { timeout: 20_000 }).toBe(A0);
  await expect(model.loaded).toContainText(A0);
  expect(reads.length, 'loaded again from the model cache, not the network').toBe(firstReads);
  await expect(app.byId('cache.list')).toContainText(`models/${A0}/`);
  await expect(app.byId('cache.list')).toContainText(`models/${A08}/`);

  // A model the user loads is never replaced by the α control.
  await model.loadByUrl('./models/tiny-router/');
  await alpha.fill('0.9');
  await expect(app.byId('setup.alphaValue')).toHaveText('0.90');
  await expect(app.byId('embedded.variant')).toHaveCount(0);
  expect((await app.state()).model?.name).toBe('tiny-router');
  expect((await app.state()).embedded.variant).toBeNull();
});
