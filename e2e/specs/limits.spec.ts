/**
 * Bounded costs and checked exports, against the local test server: a provider that never answers
 * ends its round at the deadline set in the pool editor (the error shown, the episode going on), and a
 * key pasted into a model id never leaves the app — not in the trajectory export, a share link, a
 * bundle, the console or storage.
 */
import type { Page } from '@playwright/test';
import { expect, test } from '../fixtures';
import { resetTestLlmServer, TEST_LLM_BASE_URL } from '../testLlmServer';

const CANARY = 'sk-canary-ZXQ123-e2e-limits';

test.beforeEach(async () => {
  await resetTestLlmServer();
});

/** Local storage, session storage and cookies as one text (what a leak would be written to). */
const storedText = (page: Page): Promise<string> =>
  page.evaluate(() => {
    const out: string[] = [document.cookie];
    for (const s of [localStorage, sessionStorage]) for (let i = 0; i < s.length; i++) out.push(`${s.key(i)}=${s.getItem(s.key(i) ?? '')}`);
    return out.join('\n');
  });

test('a provider that never answers ends its round at the deadline per round; the episode goes on', async ({ app }) => {
  await app.open();
  await app.pointModelAt(0, 'vllm', TEST_LLM_BASE_URL, 'delay-600000');
  await app.byId('pool.callTimeout').fill('1');
  await app.byId('pool.roundDeadline').fill('2');
  await app.byId('picker.item.0').click();
  await app.byId('episode.start').click();

  const started = Date.now();
  await app.routeTurn('Try the first model.', 'qwen2.5-7b-instruct', 'who sings it');
  await expect(app.roundPart(0, 'error')).toContainText('timeout', { timeout: 15_000 });
  const tookMs = Date.now() - started;
  await expect(app.roundPart(0, 'error')).toContainText('deadline of 2 s per round');
  await expect(app.roundPart(0, 'error')).toContainText('Deadline per round');
  await expect(app.roundPart(0, 'reply.text')).toContainText('None');
  await expect(app.byId('composer.turn')).toContainText('turn 2 of 4');
  // The deadline, not three attempts of 60 s (the old cost of a hung provider); slack for a loaded machine.
  expect(tookMs).toBeLessThan(12_000);
});

test('a key pasted into a model id is in no export, link, bundle, console message or storage', async ({ app, page }) => {
  const consoleText: string[] = [];
  page.on('console', (m) => consoleText.push(m.text()));
  let downloads = 0;
  page.on('download', () => void downloads++);
  await app.open();
  await app.pointModelAt(0, 'openai', TEST_LLM_BASE_URL, `gpt-${CANARY}`);
  await app.byId('pool.provider.openai.key').fill(CANARY);
  await app.byId('picker.item.0').click();
  await app.byId('episode.start').click();
  await app.routeTurn('Ask the keyed model.', 'qwen2.5-7b-instruct', 'who sings it');
  await app.answerTurn('Done.', '42');
  await expect.poll(() => app.state().then((s) => s.phase)).toBe('finished');

  await app.byId('trajectory.export').click();
  await expect(app.byId('trajectory.export.error')).toContainText('openai API key');
  await app.byId('share.trajectory').click();
  await expect(app.byId('share.error')).toContainText('openai API key');
  await app.byId('bundle.export').click();
  await expect(app.byId('share.error')).toContainText('openai API key');
  expect(downloads).toBe(0);

  const shown = [await app.byId('trajectory.export.error').textContent(), await app.byId('share.error').textContent()].join('\n');
  expect(shown).not.toContain(CANARY);
  expect(await storedText(page)).not.toContain(CANARY);
  expect(consoleText.join('\n')).not.toContain(CANARY);
});
