/**
 * Real providers, against the local OpenAI-compatible test server: a provider error shows in the round
 * where it happened and the episode goes on; a key is never written to storage unless the user opts
 * in, and it appears in no console message, export or trajectory.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { expect, test } from '../fixtures';
import { resetTestLlmServer, setTestLlmCors, testLlmRequests, TEST_LLM_BASE_URL } from '../testLlmServer';

const CANARY = 'sk-canary-e2e-7f3a9c1b5d';
const KEY_STORAGE = 'router-r1-studio.keys';

/** Everything the page could have persisted: localStorage, sessionStorage, cookies, IndexedDB, Cache API. */
function persistedText(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const out: string[] = [];
    for (const s of [localStorage, sessionStorage]) for (let i = 0; i < s.length; i++) out.push(`${s.key(i)}=${s.getItem(s.key(i) ?? '')}`);
    out.push(document.cookie);
    for (const info of await indexedDB.databases()) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open(info.name ?? '');
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      for (const name of Array.from(db.objectStoreNames)) {
        const all = await new Promise<unknown[]>((resolve) => {
          const r = db.transaction(name).objectStore(name).getAll();
          r.onsuccess = () => resolve(r.result);
        });
        out.push(JSON.stringify(all));
      }
      db.close();
    }
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const req of await cache.keys()) out.push(req.url, await (await cache.match(req))?.text() ?? '');
    }
    return out.join('\n');
  });
}

test.beforeEach(async () => {
  await resetTestLlmServer();
});

test('a provider error is shown in its round, and the episode goes on', async ({ app }) => {
  await app.open();
  await app.pointModelAt(0, 'vllm', TEST_LLM_BASE_URL, 'error-500');
  await app.byId('picker.item.0').click();
  await app.byId('episode.start').click();

  await app.routeTurn('Try the first model.', 'qwen2.5-7b-instruct', 'who sings it');
  await expect(app.roundPart(0, 'error')).toContainText('server');
  await expect(app.roundPart(0, 'error')).toContainText('HTTP 500');
  await expect(app.roundPart(0, 'reply.text')).toContainText('None');
  await expect(app.roundPart(0, 'cost')).toContainText('0 units');

  // The episode goes on: the next turn is asked for, and a simulated model still answers.
  await expect(app.byId('composer.turn')).toContainText('turn 2 of 4');
  await app.routeTurn('Ask the offline model instead.', 'llama-3.1-8b-instruct', 'who sings it');
  await expect(app.roundPart(1, 'reply.text')).not.toContainText('None (no reply');
  await app.answerTurn('Done.', 'someone');
  await expect.poll(() => app.state().then((s) => s.phase)).toBe('finished');
  const t = await app.trajectory();
  expect(t.rounds[0]?.call?.error?.kind).toBe('server');
  expect(t.rounds[0]?.observation?.text).toContain('<information>None</information>');
  expect(t.status).toBe('answered');
});

test('a key is never stored unless the user opts in, and never logged or exported', async ({ app, page }) => {
  const consoleText: string[] = [];
  page.on('console', (m) => consoleText.push(m.text()));
  page.on('worker', (w) => w.on('console', (m) => consoleText.push(m.text())));
  await app.open();
  await app.pointModelAt(0, 'openai', TEST_LLM_BASE_URL, 'test-model');
  await app.byId('pool.provider.openai.key').fill(CANARY);
  await app.byId('pool.provider.openai.test').click();
  await expect(app.byId('pool.provider.openai.status')).toContainText('OK');

  // An episode that calls the keyed provider.
  await app.byId('picker.item.0').click();
  await app.byId('episode.start').click();
  await app.routeTurn('Ask the keyed model.', 'qwen2.5-7b-instruct', 'who sings it');
  await expect(app.roundPart(0, 'reply.text')).toContainText('Test reply from test-model');
  await app.answerTurn('Done.', '42');
  await expect.poll(() => app.state().then((s) => s.phase)).toBe('finished');

  // The key went to the provider's base URL, in the auth header only.
  const seen = await testLlmRequests();
  const withKey = seen.filter((r) => JSON.stringify(r.headers).includes(CANARY));
  expect(withKey.length).toBeGreaterThanOrEqual(2);
  for (const r of withKey) expect([r.path, r.headers['authorization']]).toEqual(['/v1/chat/completions', `Bearer ${CANARY}`]);

  expect(await persistedText(page)).not.toContain(CANARY);
  const download = page.waitForEvent('download');
  await app.byId('trajectory.export').click();
  const exported = await readFile((await (await download).path()) ?? '', 'utf8');
  expect(exported).toContain('Test reply from test-model');
  expect(exported).not.toContain(CANARY);
  expect(JSON.stringify(await app.trajectory())).not.toContain(CANARY);

  // Opt in: stored where the checkbox says; Forget removes it.
  await expect(app.byId('pool.providers')).toContainText(`localStorage["${KEY_STORAGE}"]`);
  await app.byId('pool.rememberKeys').check();
  await expect.poll(() => page.evaluate((k) => localStorage.getItem(k), KEY_STORAGE)).toContain(CANARY);
  await app.byId('pool.forgetKeys').click();
  await expect(app.byId('pool.rememberKeys')).not.toBeChecked();
  await expect(app.byId('pool.provider.openai.key')).toHaveValue('');
  expect(await persistedText(page)).not.toContain(CANARY);
  expect(consoleText.join('\n')).not.toContain(CANARY);
});

test('a provider without CORS headers fails with an explanation of what to do', async ({ app, consoleGuard }) => {
  // The browser itself reports the blocked request on the console; that is the point of this test.
  consoleGuard.allow(/CORS policy|net::ERR_FAILED/);
  await setTestLlmCors(false);
  try {
    await app.open();
    await app.pointModelAt(0, 'vllm', TEST_LLM_BASE_URL, 'ok-model');
    await app.byId('picker.item.0').click();
    await app.byId('episode.start').click();
    await app.routeTurn('Try the first model.', 'qwen2.5-7b-instruct', 'who sings it');
    await expect(app.roundPart(0, 'error')).toContainText('CORS');
    await expect(app.roundPart(0, 'error')).toContainText(/allowed-origins|OpenRouter|local server/i);
    await expect(app.roundPart(0, 'reply.text')).toContainText('None');
    await expect(app.byId('composer.turn')).toContainText('turn 2 of 4');
  } finally {
    await setTestLlmCors(true);
  }
});
