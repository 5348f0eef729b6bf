/**
 * Issue 16 item 2 in Chromium: Pause during a running step of the α-shift preset (router-nano warm-ups mixed,
 * G 4 × 8 questions, 160-token turns) reaches "paused" with at most one further step and a 'pause' checkpoint in
 * the list, and the buttons come back. Before the fix the status stayed "pausing" while the steps ran on: the
 * worker never read the pause message until a checkpoint's IndexedDB write (every 12 steps here). Then a click on
 * a chart point opens that step's sample trajectories in the timeline. Timings go into the test's annotations.
 * Asserts on the store (test API) and on test ids, never on pixels.
 */
import { expect, test } from '../fixtures';
import { TrainPage } from '../pages/trainPage';

test.describe('train view: pause', () => {
  test('α-shift preset: Pause during step 2 stops within one step with a pause checkpoint; a chart point opens its samples', async ({ app, page }) => {
    test.setTimeout(480_000); // two router-nano models mixed, then 32 rollouts of up to 4 × 160 tokens per step on wasm
    const train = new TrainPage(app);
    await train.open();
    await app.byId('train.form.preset.alphaShift').click();
    await expect(app.byId('train.form.steps')).toHaveValue('24');
    const t0 = Date.now();
    await train.start();

    // 1. step 1 done: step 2 is running; pause it
    await train.waitForPoints(1, 360_000);
    const firstStepS = (Date.now() - t0) / 1000;
    await expect(app.byId('train.pause')).toBeEnabled();
    const atClick = (await train.training()).step;
    const clicked = Date.now();
    await app.byId('train.pause').click();

    // 2. paused with at most one further step, a pause checkpoint listed, the buttons back
    const paused = await train.waitForStatus(/^paused$/, 120_000);
    const pauseS = (Date.now() - clicked) / 1000;
    const timing = `start → step 1: ${firstStepS.toFixed(1)} s; Pause clicked at step ${atClick}, paused at step ${paused.step} after ${pauseS.toFixed(1)} s`;
    test.info().annotations.push({ type: 'timing', description: timing });
    console.log(`α-shift pause timing: ${timing}`);
    expect(paused.error).toBeNull();
    expect(paused.step).toBeGreaterThanOrEqual(atClick);
    expect(paused.step).toBeLessThanOrEqual(atClick + 1);
    await expect.poll(async () => (await train.training()).checkpoints[0]).toMatchObject({ reason: 'pause', step: paused.step, runId: paused.runId });
    await expect(app.byId('train.checkpoint.0')).toContainText('pause');
    for (const id of ['train.start', 'train.stepOnce', 'train.resume']) await expect(app.byId(id), id).toBeEnabled();
    await expect(app.byId('train.pause')).toBeDisabled();

    // 3. a click on a chart point (the EM chart: one line, so one dot per step) opens that step's samples in the
    // timeline. As a user does: hover until the tooltip shows the step (recharts sets its active point on a
    // frame after the move), then click. The dots are 2 px and the tooltip layer may sit over them: force, the
    // click bubbles to the chart wrapper recharts listens on.
    expect((await train.training()).sampleSteps).toBeGreaterThanOrEqual(1);
    const dot = page.locator('[data-testid="charts.em"] .recharts-line-dot').first();
    await dot.hover({ force: true });
    await expect(page.locator('[data-testid="charts.em"] .recharts-tooltip-wrapper')).toContainText('1');
    await dot.click({ force: true });
    await expect(app.byId('train.samples')).toHaveAttribute('data-step', '1');
    await expect(app.byId('train.samples.0')).toHaveAttribute('aria-pressed', 'true');
    await expect(app.byId('timeline.round.0')).toBeVisible();
    const shown = await app.state();
    expect(shown.trajectoryId).not.toBeNull();
    expect(shown.mode).toBe('train');
    // the other sample of the step, from the switcher
    await app.byId('train.samples.1').click();
    await expect(app.byId('train.samples.1')).toHaveAttribute('aria-pressed', 'true');
    await expect.poll(async () => (await app.state()).trajectoryId).not.toBe(shown.trajectoryId);
  });
});
