/**
 * The demo gallery: on first load, in a fresh context (no keys, empty storage and
 * cache) and before any model weights arrive, the gallery lists the recorded episodes of
 * public/demos/gallery.json; opening one (click or Enter) replays it in the timeline, step by step; the
 * α comparison shows both runs side by side; a missing or malformed file is a note and the app works on.
 *
 * Needs public/demos/gallery.json (npm run -s cli -- make-demos, from the trained embedded policies).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import type { DemoGallery } from '../../src/core';
import { expect, test } from '../fixtures';

const GALLERY = fileURLToPath(new URL('../../public/demos/gallery.json', import.meta.url));
const gallery = (): DemoGallery => JSON.parse(readFileSync(GALLERY, 'utf8')) as DemoGallery;

/** Holds every model weight request: what the gallery shows must not wait for a model download. */
async function holdModelWeights(page: Page): Promise<string[]> {
  const held: string[] = [];
  await page.route(/\/models\/[^/]+\/onnx\//, (route) => void held.push(route.request().url()));
  return held;
}

test('on first load the gallery lists the recorded demos, before any model is downloaded', async ({ app }) => {
  await holdModelWeights(app.page);
  await app.openDefault();
  const g = gallery();
  expect(g.entries.length).toBeGreaterThan(0);
  await expect(app.byId('demos.list').getByRole('button')).toHaveCount(g.entries.length);
  for (const e of g.entries) await expect(app.byId(`demos.entry.${e.id}`)).toContainText(e.title);
  // A fresh context: no keys stored, nothing cached; the gallery needed neither.
  expect(await app.page.evaluate(() => localStorage.getItem('router-r1-studio.keys'))).toBeNull();
});

test('opening a demo replays its rounds in the timeline, and stepping works', async ({ app }) => {
  await holdModelWeights(app.page);
  await app.openDefault();
  const entry = gallery().entries[0];
  if (entry === undefined) throw new Error('public/demos/gallery.json has no entries');
  const rounds = entry.trajectory.rounds.length;

  await app.byId(`demos.entry.${entry.id}`).focus();
  await app.page.keyboard.press('Enter');
  await expect(app.question).toContainText(entry.trajectory.question.text);
  await expect(app.sourceLabel).toContainText(`Demo — recorded by ${entry.variant}`);
  await expect(app.byId('link.notice')).toContainText('Nothing was run');
  await expect(app.byId('mode.replay')).toBeChecked();
  const s = await app.state();
  expect(s).toMatchObject({ source: 'demo', trajectoryId: entry.trajectory.id, rounds, revealed: 0 });

  await expect(app.rounds).toHaveCount(0);
  await app.next.click();
  await expect(app.rounds).toHaveCount(1);
  await expect.poll(() => app.state().then((x) => x.revealed)).toBe(1);
  await app.press('ArrowRight');
  await expect.poll(() => app.state().then((x) => x.revealed)).toBe(2);
  await app.prev.click();
  await expect.poll(() => app.state().then((x) => x.revealed)).toBe(1);
  await app.end.click();
  await expect(app.rounds).toHaveCount(rounds);
  const t = await app.trajectory();
  expect(t.rounds.map((r) => r.text)).toEqual(entry.trajectory.rounds.map((r) => r.text));
  expect(t.reward).toEqual(entry.trajectory.reward);
});

test('the α comparison opens both runs side by side', async ({ app }) => {
  const entry = gallery().entries.find((e) => e.compare !== undefined);
  test.skip(entry === undefined, 'issue 8: this gallery has no α comparison (make-demos leaves out a category it cannot find and says so on stderr)');
  if (entry?.compare === undefined) return;
  await app.openDefault();
  await app.byId(`demos.entry.${entry.id}`).click();
  await expect(app.byId('demos.compare.left')).toContainText(entry.variant);
  await expect(app.byId('demos.compare.right')).toContainText(entry.compare.variant);
  await expect(app.byId('demos.compare.right').locator('li')).toHaveCount(entry.compare.trajectory.rounds.length);
  await expect.poll(() => app.state().then((x) => x.trajectoryId)).toBe(entry.trajectory.id);
});

test('a missing or malformed gallery file is a short note, and the app works on', async ({ app, consoleGuard }) => {
  consoleGuard.allow(/Failed to load resource: the server responded with a status of 404/);
  await app.page.route(/\/demos\/gallery\.json$/, (route) => route.fulfill({ status: 404, body: 'not found' }));
  await app.openDefault();
  await expect(app.byId('demos.note')).toContainText('is not there (HTTP 404)');

  await app.page.unroute(/\/demos\/gallery\.json$/);
  await app.page.route(/\/demos\/gallery\.json$/, (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '{"format":"router-r1-studio.demos","version":1,"source":"x","entries":[{"id":"x"}]}' }));
  await app.page.reload();
  await expect(app.byId('demos.note')).toContainText('invalid value: gallery.entries[0]');
  await app.byId('mode.human').check();
  await app.byId('picker.item.0').click();
  await expect(app.byId('episode.start')).toBeEnabled();
});
