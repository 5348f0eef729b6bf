/**
 * The Train view in Chromium: start GRPO training of the tiny-router on
 * wasm for a few steps, see every chart gain points, pause (a 'pause' checkpoint in IndexedDB), reload
 * the page, resume from the checkpoint (the step counter continues), export it as a file, import it
 * back, and run an episode with it as the policy. Small G and batch keep a step to about a second.
 * Asserts on the store (test API) and on the charts' presence, never on pixels.
 */
import { readFile } from 'node:fs/promises';
import { expect, test } from '../fixtures';
import { TrainPage } from '../pages/trainPage';
import { TRAIN_CHART_IDS } from '../../src/ui/components/charts/trainCharts';

test.describe('train view', () => {
  test('validates the configuration with core\'s messages', async ({ app }) => {
    const train = new TrainPage(app);
    await train.open();
    await train.configure({ groupSize: 1 });
    await expect(app.byId('train.form.errors')).toContainText('GRPO needs groupSize ≥ 2');
    await expect(app.byId('train.start')).toBeDisabled();
    await train.configure({ groupSize: 2, steps: 0 });
    await expect(app.byId('train.form.errors')).toContainText('steps must be a whole number ≥ 1');
    await train.configure({ steps: 3 });
    await expect(app.byId('train.form.errors')).toHaveCount(0);
    await expect(app.byId('train.start')).toBeEnabled();
  });

  test('"α-shift demo" fills the form with cli/train/examples/alpha-shift.json\'s values (keyboard: Enter on the focused button)', async ({ app, page }) => {
    const train = new TrainPage(app);
    await train.open();
    const preset = app.byId('train.form.preset.alphaShift');
    await expect(preset).toBeVisible(); // offered once the embedded index lists both warm-ups
    await preset.focus();
    await page.keyboard.press('Enter');
    const expected: Record<string, string> = { policy: 'mix:warmups', alpha: '0.9', groupSize: '4', batch: '8', lr: '0.0001', klCoef: '0.001', steps: '24', seed: '3', checkpointEvery: '12', temperature: '1', device: 'wasm' };
    for (const [key, value] of Object.entries(expected)) await expect(app.byId(`train.form.${key}`), key).toHaveValue(value);
    await expect(app.byId('train.form.alphaValue')).toHaveText('0.90');
    await expect(app.byId('train.form.errors')).toHaveCount(0);
    await expect(app.byId('train.start')).toBeEnabled();
  });

  test('PPO (chosen with the keyboard) trains the value head: its value-loss chart appears', async ({ app, page }) => {
    test.setTimeout(120_000);
    const train = new TrainPage(app);
    await train.open();
    await expect(app.byId('charts.valueLoss')).toHaveCount(0);
    await app.byId('train.form.algorithm').focus();
    await page.keyboard.press('ArrowDown'); // GRPO → PPO
    await expect(app.byId('train.form.algorithm')).toHaveValue('ppo');
    await train.configure({ groupSize: 2, batch: 1, steps: 2, checkpointEvery: 0, seed: 7 });
    await train.start();
    const t = await train.waitForPoints(1);
    expect(t.series['valueLoss'], 'points of the value-loss chart').toBeGreaterThanOrEqual(1);
    await expect(page.locator('[data-testid="charts.valueLoss"] svg.recharts-surface[role="application"]')).toBeVisible();
  });

  test('trains, pauses, resumes after a reload, exports, imports, and runs an episode with the checkpoint', async ({ app, page }) => {
    test.setTimeout(240_000);
    const train = new TrainPage(app);
    await train.open();
    await expect(app.byId('train.checkpoints.empty')).toBeVisible();
    await train.configure({ groupSize: 2, batch: 1, steps: 40, checkpointEvery: 2, seed: 7 });
    await train.start();

    // 1. every chart gains points (the store's series and the rendered recharts surface)
    const running = await train.waitForPoints(2);
    expect(running.deviceEp).toBe('wasm');
    await expect(app.byId('train.device')).toContainText('wasm');
    for (const id of TRAIN_CHART_IDS) {
      expect.soft(running.series[id], `points of charts.${id}`).toBeGreaterThanOrEqual(1);
      await expect(page.locator(`[data-testid="charts.${id}"] svg.recharts-surface[role="application"]`)).toBeVisible();
    }
    await expect(page.locator('[data-testid="charts.reward"] .recharts-line')).toHaveCount(4);
    await expect(page.locator('[data-testid="charts.stepTime"] .recharts-bar-rectangle').first()).toBeAttached();

    // 2. pause: the loop stores a 'pause' checkpoint at the step it reached
    const paused = await train.pause();
    const checkpoint = paused.checkpoints[0];
    expect(checkpoint).toMatchObject({ reason: 'pause', step: paused.step, runId: paused.runId });
    expect(paused.step).toBeGreaterThanOrEqual(2);

    // 3. reload: the checkpoint is still listed (IndexedDB); resume continues its step counter and its charts
    await train.open(true);
    await expect.poll(async () => (await train.training()).selectedCheckpoint).toBe(checkpoint?.id);
    await train.resume();
    await expect.poll(async () => (await train.training()).step, { timeout: 90_000 }).toBeGreaterThan(paused.step);
    const resumed = await train.training();
    expect(resumed.runId).toBe(paused.runId);
    expect(resumed.points).toBeGreaterThan(paused.step); // the history came back with the checkpoint
    const pausedAgain = await train.pause();
    expect(pausedAgain.step).toBeGreaterThan(paused.step);

    // 4. export: one .safetensors file with the checkpoint state in its metadata
    const download = await train.exportCheckpoint(0);
    expect(download.suggestedFilename()).toMatch(/-step-\d+\.checkpoint\.safetensors$/);
    const bytes = await readFile((await download.path()) as string);
    const headerLength = bytes.readUInt32LE(0);
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as { __metadata__: Record<string, string> };
    expect(header.__metadata__['format']).toBe('router-r1-studio.train-checkpoint');
    expect(JSON.parse(header.__metadata__['state'] ?? '{}')).toMatchObject({ step: pausedAgain.step, runId: pausedAgain.runId, reason: 'pause' });

    // 5. delete it and import the file back
    const id = pausedAgain.checkpoints[0]?.id;
    await app.byId('train.checkpoint.0.delete').click();
    await expect.poll(async () => (await train.training()).checkpoints.some((c) => c.id === id)).toBe(false);
    await app.byId('train.import').setInputFiles({ name: download.suggestedFilename(), mimeType: 'application/octet-stream', buffer: bytes });
    await expect.poll(async () => (await train.training()).selectedCheckpoint).toBe(id);

    // 6. use it as the policy (its q4 model folder) and run an episode with it
    const index = (await train.training()).checkpoints.findIndex((c) => c.id === id);
    await train.useAsPolicy(index);
    const s = await app.state();
    expect(s.mode).toBe('model');
    expect(s.model).toMatchObject({ ref: { kind: 'checkpoint', checkpointId: id }, template: 'compact', onnx: { variant: 'q4' } });
    await app.byId('model.maxNewTokens').fill('24');
    await app.byId('episode.start').click();
    await expect.poll(async () => (await app.state()).phase, { timeout: 60_000 }).toMatch(/^(finished|failed)$/);
    const t = await app.trajectory();
    expect(t.policy.kind).toBe('onnx');
    expect(t.status).not.toBe('failed');
    expect(t.rounds.length).toBeGreaterThanOrEqual(1);
  });

  test('one step from the embedded router-nano-a0 (its weights read from its q4 model), chosen with the keyboard', async ({ app, page }) => {
    test.setTimeout(180_000);
    const train = new TrainPage(app);
    await train.open();
    const policy = app.byId('train.form.policy');
    await expect(policy.locator('option[value="router-nano-a0"]')).toBeAttached(); // offered once the embedded index is read
    await policy.focus();
    await page.keyboard.press('ArrowDown'); // tiny-router → router-nano-a0 (the option after it)
    await expect(policy).toHaveValue('router-nano-a0');
    await train.configure({ groupSize: 2, batch: 1, steps: 5, seed: 3 });
    await app.byId('train.stepOnce').click();
    await expect.poll(async () => (await train.training()).checkpoints[0]?.reason, { timeout: 150_000 }).toBe('pause');
    const t = await train.training();
    expect(t.error).toBeNull();
    expect(t.step).toBe(1);
    expect(t.points).toBe(1);
  });
});
