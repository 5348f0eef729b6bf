/**
 * The live round stays in view: "Run a sample question" scrolls the page to the round being written
 * (about 900 px of setup sit above it) and keeps the step controls in reach; a user who scrolls away
 * during the run keeps their place.
 */
import { expect, test } from '../fixtures';
import { ModelPage } from '../pages/modelPage';

async function readyOnWasm(app: ConstructorParameters<typeof ModelPage>[0]): Promise<ModelPage> {
  const model = new ModelPage(app);
  await model.openDefaultOnWasm();
  return model;
}

test('a sample question scrolls to the live round, and the step controls stay in reach', async ({ app, page }) => {
  test.setTimeout(120_000);
  const model = await readyOnWasm(app);
  expect(await page.evaluate(() => window.scrollY)).toBe(0);
  await app.byId('sample.run').click();
  // While it runs, the newest part of the timeline is in the viewport.
  await expect(page.getByTestId(/^timeline\.round\.\d+(\.stream)?$/).last()).toBeInViewport({ timeout: 30_000 });
  await model.waitFinished(90_000);
  await expect(page.getByTestId(/^timeline\.round\.\d+$/).last()).toBeInViewport();
  expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
  await expect(app.byId('controls.next')).toBeInViewport();
});

test('scrolling away during the run keeps the page where the user put it', async ({ app, page }) => {
  test.setTimeout(120_000);
  const model = await readyOnWasm(app);
  await app.byId('sample.run').click();
  await expect(page.getByTestId(/^timeline\.round\.\d+(\.stream)?$/).last()).toBeInViewport({ timeout: 30_000 });
  await page.mouse.move(400, 300);
  await page.mouse.wheel(0, -20_000);
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBe(0);
  await model.waitFinished(90_000);
  expect(await page.evaluate(() => window.scrollY)).toBe(0);
});
