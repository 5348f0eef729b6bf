/**
 * Share links and bundles: a finished trajectory shared from one browser context opens in a
 * fresh one (empty storage, no keys) with the same rounds, texts, costs and rewards, ready to step
 * through; a setup link opens ready to run and reproduces the run on the offline pool; an evaluation
 * link opens its table; broken and hostile links show a message and the app stays usable; a canary
 * key appears in no link or bundle. Last, the built folder served from a sub-path works end to end.
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from '@playwright/test';
import LZString from 'lz-string';
import type { Trajectory } from '../../src/core';
import { expect, test } from '../fixtures';
import { AppPage } from '../pages/appPage';

const CANARY = 'sk-canary-share-e2e-5d1b9c3a7f';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A fresh browser context (empty storage, no keys) with its own console-error guard. */
async function freshApp(browser: Browser): Promise<{ app: AppPage; errors: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => void (m.type() === 'error' && errors.push(`console.error: ${m.text()}`)));
  return { app: new AppPage(page), errors, close: () => context.close() };
}

/** The JSON inside a link (what a leak would be in; the link itself is compressed). */
function linkJson(url: string): string {
  const code = new URL(url).hash.replace(/^#s=/, '');
  return LZString.decompressFromEncodedURIComponent(code.replace(/^v1\./, '')) ?? '';
}

async function storageText(page: Page): Promise<string> {
  return page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }));
}

/** What the recipient must see exactly as recorded. */
const essence = (t: Trajectory) => ({
  question: t.question,
  pool: t.pool,
  rounds: t.rounds.map((r) => ({ text: r.text, action: r.action, reply: r.call?.reply, usage: r.call?.usage, costUnits: r.call?.costUnits, costUsd: r.call?.costUsd, latencyMs: r.call?.latencyMs })),
  reward: t.reward,
  metrics: t.metrics,
});

test('a trajectory link opens in a fresh context with the same rounds, texts, costs and rewards, ready to step through', async ({ app, browser }) => {
  await app.open();
  await app.playRouter('golden compass book', ['llama-3.1-8b-instruct', 'llama-3.3-nemotron-super-49b-v1']);
  const played = await app.trajectory();
  // A canary key is set in this browser (for a provider of the edited pool): it must reach no link or bundle.
  await app.pointModelAt(0, 'openai', 'https://api.openai.com/v1', 'gpt-4o-mini');
  await app.byId('pool.provider.openai.key').fill(CANARY);

  const url = await app.shareLink('trajectory');
  expect(url.length).toBeLessThan(8_000);
  expect(url).not.toContain('testApi');
  test.info().annotations.push({ type: 'link length', description: `${url.length} characters for a ${played.rounds.length}-round trajectory` });
  expect(linkJson(url)).toContain('golden compass');
  expect(linkJson(url)).not.toContain(CANARY);
  const setupUrl = await app.shareLink('config');
  expect(linkJson(setupUrl)).toContain('gpt-4o-mini');
  expect(linkJson(setupUrl)).not.toContain(CANARY);
  const download = app.page.waitForEvent('download');
  await app.byId('bundle.export').click();
  const bundle = await readFile((await (await download).path()) ?? '', 'utf8');
  expect(bundle).toContain('"format": "router-r1-studio.bundle"');
  expect(bundle).not.toContain(CANARY);

  const fresh = await freshApp(browser);
  try {
    const other = fresh.app;
    await other.openLink(url);
    await expect(other.sourceLabel).toContainText('Shared trajectory');
    await expect(other.byId('link.notice')).toContainText('Nothing was run');
    await expect(other.byId('mode.replay')).toBeChecked();
    const opened = await other.trajectory();
    expect(essence(opened)).toEqual(essence(played));
    expect(opened).toEqual(played);
    expect(await other.state()).toMatchObject({ source: 'shared', rounds: 3, revealed: 0, phase: 'finished' });

    // Step through it: every sub-step, then the reward; back and forth with the keyboard.
    const { totalSteps } = await other.state();
    for (let k = 1; k <= totalSteps; k++) {
      await other.next.click();
      await expect(other.position).toContainText(`Step ${k} / ${totalSteps}`);
    }
    for (const [i, round] of played.rounds.entries()) {
      if (round.call === null) continue;
      await expect(other.roundPart(i, 'reply.text')).toHaveText(round.call.reply ?? '');
      await expect(other.roundPart(i, 'tokens')).toContainText(`${round.call.usage?.completionTokens} completion`);
      await expect(other.roundPart(i, 'cost')).toContainText(/units · \$/);
    }
    await expect(other.reward('em')).toHaveText('1');
    await expect(other.reward('total')).toHaveText(String(played.reward?.total));
    await expect(other.metric('calls')).toHaveText('2');
    await other.press('Home');
    await expect(other.rounds).toHaveCount(0);
    await other.press('End');
    await expect(other.rounds).toHaveCount(3);
    // Nothing was stored, and no key was asked for or set.
    expect(await storageText(other.page)).not.toContain(CANARY);
    expect(await storageText(other.page)).toBe('{"local":{},"session":{}}');
    expect(fresh.errors).toEqual([]);
  } finally {
    await fresh.close();
  }
});

test('a setup link opens ready to run with the same question, pool and settings, and runs the same on the offline pool', async ({ app, browser }) => {
  await app.open();
  await app.byId('picker.search').fill('golden compass book');
  await app.byId('picker.item.0').click();
  await app.byId('pool.model.1.out').fill('0.75');
  const url = await app.shareLink('config');
  // The sender runs it.
  await app.waitForReferenceData();
  await app.byId('episode.start').click();
  await app.routeTurn('Ask the second model.', 'llama-3.1-8b-instruct', 'when did the golden compass book come out');
  await app.answerTurn('Done.', 'whatever it said');
  await expect.poll(() => app.state().then((s) => s.phase)).toBe('finished');
  const sent = await app.trajectory();

  const fresh = await freshApp(browser);
  try {
    const other = fresh.app;
    await other.openLink(url);
    await expect(other.byId('link.notice')).toContainText('Opened a shared setup');
    await expect(other.byId('mode.human')).toBeChecked();
    await expect(other.byId('setup.question')).toContainText('golden compass');
    await expect(other.byId('pool.model.1.out')).toHaveValue('0.75');
    await expect(other.byId('pool.providers')).toContainText('needs no provider and no key');
    await expect(other.byId('episode.start')).toBeEnabled();
    // The recipient runs it: the same turns give the same trajectory on the offline pool.
    await other.waitForReferenceData();
    await other.byId('episode.start').click();
    await other.routeTurn('Ask the second model.', 'llama-3.1-8b-instruct', 'when did the golden compass book come out');
    await other.answerTurn('Done.', 'whatever it said');
    await expect.poll(() => other.state().then((s) => s.phase)).toBe('finished');
    const received = await other.trajectory();
    // Everything but the episode id and the time the human took to write each turn.
    const comparable = (t: Trajectory) => ({ ...t, id: '', rounds: t.rounds.map((r) => ({ ...r, generationMs: 0 })) });
    expect(comparable(received)).toEqual(comparable(sent));
    expect(fresh.errors).toEqual([]);
  } finally {
    await fresh.close();
  }
});

test('an evaluation link opens its summary table', async ({ app }) => {
  const frozen = JSON.parse(readFileSync(resolve(ROOT, 'src/core/share/fixtures/v1-links.json'), 'utf8')) as { code: string; state: { evaluation?: { rows: { method: string }[] } } }[];
  const link = frozen.find((l) => l.state.evaluation !== undefined);
  await app.page.goto(`/?testApi=1#s=${link?.code}`);
  await expect(app.byId('evaluation')).toBeVisible();
  await expect(app.byId('evaluation.row.0')).toContainText(link?.state.evaluation?.rows[0]?.method ?? '?');
  await expect(app.byId('evaluation.row.1')).toBeVisible();
  await expect(app.byId('link.notice')).toContainText('evaluation summary');
});

test('broken, hostile and newer links show a clear message, and the app stays usable', async ({ app }) => {
  const hostile = `v1.${LZString.compressToEncodedURIComponent('{"__proto__": {"polluted": true}}')}`;
  const cases: [string, RegExp][] = [
    ['v1.this-is-not-a-real-link', /damaged/],
    ['v1.N4IgLgpg', /damaged|invalid/],
    [hostile, /forbidden field name/],
    ['v9.N4Ig', /newer Router-R1 Studio/],
    ['hello', /not a Router-R1 Studio share link/],
  ];
  for (const [code, message] of cases) {
    await app.page.goto(`/?testApi=1#s=${code}`);
    await expect(app.byId('link.error')).toContainText(message);
    await expect(app.byId('link.error')).toContainText('The app is unchanged');
    expect(await app.page.evaluate(() => (({}) as Record<string, unknown>)['polluted'])).toBeUndefined();
  }
  // Still usable: dismiss, then play a turn on the offline pool.
  await expect(app.byId('picker.item.0')).toBeVisible();
  await app.byId('link.dismiss').click();
  await expect(app.byId('link.error')).toHaveCount(0);
  await app.byId('episode.start').click();
  await app.answerTurn('Guess.', 'nobody');
  await expect.poll(() => app.state().then((s) => s.phase)).toBe('finished');
  expect((await app.state()).linkError).toBeNull();
});

test('the issue\'s hostile link (9 rounds of 25,000 unclosed <search> tags, ~11 KB) is refused within a second and the app stays usable; "+" sent as spaces still opens', async ({ app }) => {
  const frozen = JSON.parse(readFileSync(resolve(ROOT, 'src/core/share/fixtures/v1-links.json'), 'utf8')) as { code: string; state: { trajectory?: unknown } }[];
  const shared = frozen.find((l) => l.state.trajectory !== undefined)?.code ?? '';
  // The link: a real trajectory link whose rounds are '<search>'.repeat(25000) (96 s of main-thread work before the fix).
  const wire = JSON.parse(LZString.decompressFromEncodedURIComponent(shared.slice(3)) ?? '{}') as { t: { r: unknown[] } };
  wire.t.r = Array.from({ length: 9 }, (_, i) => ({ i, w: '<search>'.repeat(25_000), x: 1 }));
  const hostile = `v1.${LZString.compressToEncodedURIComponent(JSON.stringify(wire))}`;
  expect(hostile.length).toBeGreaterThan(10_000);

  await app.open(); // "you are the router", nothing of the user's on screen: a link opens (or fails) at once
  const t0 = Date.now();
  await app.page.evaluate((hash) => (window.location.hash = hash), `#s=${hostile}`);
  await expect(app.byId('link.error')).toContainText(/more text than the app opens from a link/, { timeout: 1_000 });
  const refused = `${hostile.length} characters refused in ${Date.now() - t0} ms`;
  test.info().annotations.push({ type: 'hostile link', description: refused });
  console.log(`hostile link: ${refused}`);
  await expect(app.byId('link.error')).toContainText('The app is unchanged');
  await app.byId('link.dismiss').click();
  await app.byId('episode.start').click();
  await app.answerTurn('Guess.', 'nobody');
  await expect.poll(() => app.state().then((st) => st.phase)).toBe('finished');

  // Chromium hands over a fragment whose '+' became spaces as %20: it opens all the same.
  expect(shared).toContain('+');
  await app.page.goto('about:blank');
  await app.page.goto(`/?testApi=1#s=${shared.replace(/\+/g, ' ')}`);
  expect(await app.page.evaluate(() => window.location.hash)).toContain('%20');
  await expect(app.sourceLabel).toContainText('Shared trajectory');
});

test('a link pasted into a session with work asks before replacing it', async ({ app }) => {
  await app.open();
  await app.byId('pool.model.0.out').fill('3');
  const url = await app.shareLink('config');
  await app.byId('pool.model.0.out').fill('4');
  await app.page.evaluate((hash) => (window.location.hash = hash), new URL(url).hash);
  await expect(app.byId('link.pending')).toBeVisible();
  await expect(app.byId('pool.model.0.out')).toHaveValue('4');
  await app.byId('link.open').click();
  await expect(app.byId('pool.model.0.out')).toHaveValue('3');
  await expect(app.byId('link.notice')).toContainText('Opened a shared setup');
});

// ── Static deployment: the built folder from a sub-path, on a plain static server ────────────────
const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.jsonl': 'application/x-ndjson', '.txt': 'text/plain', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.onnx': 'application/octet-stream' };

/** dist/ at `prefix`, and the data root at `${prefix}data/` (a host would copy it there); optional COOP/COEP. */
function serveStatic(prefix: string, isolate: boolean): Promise<{ server: Server; origin: string; requests: string[] }> {
  const dist = resolve(ROOT, 'dist');
  const data = resolve(process.env['ROUTER_DATA_ROOT'] ?? resolve(ROOT, '../shared/data'));
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    requests.push(path);
    if (!path.startsWith(prefix)) return void res.writeHead(404).end('outside the app');
    const rel = path.slice(prefix.length);
    const [base, inner] = rel.startsWith('data/') ? [data, rel.slice('data/'.length)] : [dist, rel === '' ? 'index.html' : rel];
    const file = normalize(resolve(base, inner));
    if (!file.startsWith(base + sep) || !existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end('not found');
    const headers: Record<string, string> = { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' };
    if (isolate) Object.assign(headers, { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
    res.writeHead(200, headers);
    createReadStream(file).pipe(res);
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests })));
}

for (const isolate of [false, true]) {
  test(`the built app works from a sub-path on a static host (${isolate ? 'with' : 'without'} COOP/COEP)`, async ({ page }) => {
    const prefix = '/some/sub/path/';
    const { server, origin, requests } = await serveStatic(prefix, isolate);
    try {
      const app = new AppPage(page);
      await page.goto(`${origin}${prefix}?testApi=1`);
      await expect(app.byId('picker.item.0')).toBeVisible(); // the worker started and read the data root
      expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(isolate);
      await app.playRouter('golden compass book', ['llama-3.1-8b-instruct']);
      const played = await app.trajectory();
      const url = await app.shareLink('trajectory');
      expect(url.startsWith(`${origin}${prefix}#s=v1.`)).toBe(true);
      await app.openLink(url);
      await expect(app.sourceLabel).toContainText('Shared trajectory');
      expect(await app.trajectory()).toEqual(played);
      expect(requests.filter((r) => !r.startsWith(prefix))).toEqual([]);
      expect(requests.some((r) => /\/assets\/engine\.worker-.*\.js$/.test(r))).toBe(true);
    } finally {
      server.close();
    }
  });
}
