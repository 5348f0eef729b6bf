/**
 * Replay mode: the project-built example trajectory (scripted, no model), stepped round by round with
 * the keyboard and with the buttons, ending on the reward breakdown.
 */
import { expect, test } from '../fixtures';
import type { AppPage } from '../pages/appPage';

/** After each step, the sub-step the cursor reached is on screen. */
async function expectCurrentStepShown(app: AppPage, revealed: number, total: number): Promise<void> {
  await expect(app.position).toContainText(`Step ${revealed} / ${total}`);
  const s = await app.state();
  expect(s.revealed).toBe(revealed);
  if (s.currentStep !== null) await expect(app.roundPart(s.currentStep.round, s.currentStep.stage)).toBeVisible();
}

async function expectRoundDetails(app: AppPage): Promise<void> {
  const t = await app.trajectory();
  for (const [i, round] of t.rounds.entries()) {
    await expect(app.roundPart(i, 'think')).toBeVisible();
    if (round.action.type === 'route') {
      await expect(app.roundPart(i, 'route.name')).toHaveText(round.action.modelName);
      const model = round.call?.poolIndex == null ? undefined : t.pool[round.call.poolIndex];
      await expect(app.roundPart(i, 'route.resolved')).toContainText(model?.name ?? 'unknown model');
      await expect(app.roundPart(i, 'reply.text')).toHaveText(round.call?.reply ?? /None/);
      await expect(app.roundPart(i, 'cost')).toContainText(/units · \$/);
      await expect(app.roundPart(i, 'tokens')).toContainText(`${round.call?.usage?.completionTokens} completion`);
      await expect(app.roundPart(i, 'latency')).toContainText(/\d+ m?s/);
    }
    if (round.action.type === 'answer') await expect(app.roundPart(i, 'answer')).toContainText(round.action.answer);
  }
}

async function expectRewardBreakdown(app: AppPage): Promise<void> {
  await expect(app.rewardPending).toHaveCount(0);
  await expect(app.reward('format')).toHaveText('0');
  await expect(app.reward('em')).toHaveText('1');
  await expect(app.reward('answer')).toHaveText('Philip K. Dick');
  await expect(app.reward('total')).toHaveText('1');
  await expect(app.metric('calls')).toHaveText('2');
  await expect(app.metric('turns')).toHaveText('3');
  await expect(app.metric('costUnits')).toContainText('units');
}

test.beforeEach(async ({ app }) => {
  await app.openExample();
});

test('shows the example question, labelled as the project-built scripted example', async ({ app }) => {
  await expect(app.title).toHaveText('Router-R1 Studio');
  await expect(app.sourceLabel).toHaveText('Example trajectory — built by the project, scripted, no model');
  await expect(app.question).toContainText('Blade Runner');
  await expect(app.goldAnswers).toContainText('Philip K. Dick');
  await expect(app.rounds).toHaveCount(0);
  await expect(app.rewardPending).toBeVisible();
  const s = await app.state();
  expect(s).toMatchObject({ source: 'example', rounds: 3, revealed: 0 });
});

test('steps through every round with the keyboard, right after load', async ({ app }) => {
  const { totalSteps, rounds } = await app.state();
  for (let k = 1; k <= totalSteps; k++) {
    await app.press(k % 2 === 0 ? 'j' : 'ArrowRight');
    await expectCurrentStepShown(app, k, totalSteps);
  }
  await expect(app.rounds).toHaveCount(rounds);
  await expectRoundDetails(app);
  await expectRewardBreakdown(app);

  // Stepping back hides the later rounds again, and the reward until the end is reached.
  await app.press('ArrowLeft');
  await app.press('k');
  await expect(app.round(rounds - 1)).toHaveCount(0);
  await expect(app.round(rounds - 2)).toBeVisible();
  await expect(app.rewardPending).toBeVisible();
  await app.press('Home');
  await expect(app.rounds).toHaveCount(0);
  await app.press('End');
  await expect(app.rounds).toHaveCount(rounds);
  await expectRewardBreakdown(app);
});

test('steps through every round with the buttons', async ({ app }) => {
  const { totalSteps, rounds } = await app.state();
  await expect(app.prev).toBeDisabled();
  for (let k = 1; k <= totalSteps; k++) {
    await app.next.click();
    await expectCurrentStepShown(app, k, totalSteps);
  }
  await expect(app.next).toBeDisabled();
  await expect(app.end).toBeDisabled();
  await expectRoundDetails(app);
  await expectRewardBreakdown(app);

  await app.prev.click();
  await expect(app.roundPart(rounds - 1, 'answer')).toHaveCount(0);
  await expect(app.rewardPending).toBeVisible();
  await app.start.click();
  await expect(app.rounds).toHaveCount(0);
  await expect.poll(() => app.state().then((s) => s.revealed)).toBe(0);
  await app.end.click();
  await expect(app.rounds).toHaveCount(rounds);
});
