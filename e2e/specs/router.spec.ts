/**
 * "You are the router" on the offline pool (no keys): pick a bank question, route two
 * sub-queries to simulated candidates, answer, see the reward breakdown, then step back and forth with
 * the keyboard through what was played.
 */
import { expect, test } from '../fixtures';

test('"you are the router" plays the offline pool with no keys (the app opens on the embedded policy: embedded.spec.ts)', async ({ app }) => {
  await app.open();
  await expect(app.byId('mode.human')).toBeChecked();
  await expect(app.byId('picker.dataset')).toHaveValue('offline');
  await expect(app.byId('setup.pool')).toContainText('simulated from recorded scores');
  await expect(app.byId('pool.preset')).toHaveValue('offline');
  await expect(app.byId('pool.providers')).toContainText('needs no provider and no key');
  await expect(app.byId('episode.start')).toBeEnabled();
  const s = await app.state();
  expect(s.questionCounts['offline']).toBeGreaterThan(500);
});

test('plays the router by hand through two routed rounds, sees the reward, and steps with the keyboard', async ({ app }) => {
  await app.open();
  await app.byId('picker.search').fill('golden compass book');
  await app.byId('picker.item.0').click();
  await expect(app.byId('setup.question')).toContainText('golden compass');
  await app.byId('episode.start').click();

  await expect(app.byId('composer.turn')).toContainText('turn 1 of 4');
  await expect(app.byId('header.source')).toContainText('You are the router');
  await app.routeTurn('A cheap model may know this.', 'llama-3.1-8b-instruct', 'when did the golden compass book come out');
  await expect(app.roundPart(0, 'reply.text')).not.toBeEmpty();
  await expect(app.roundPart(0, 'route.resolved')).toContainText('llama-3.1-8b-instruct');
  await expect(app.roundPart(0, 'reply')).toContainText('simulated from recorded scores');
  await expect(app.roundPart(0, 'tokens')).toContainText('completion');

  await expect(app.byId('composer.turn')).toContainText('turn 2 of 4');
  await app.routeTurn('Ask a larger model to confirm.', 'llama-3.3-nemotron-super-49b-v1', 'when was the golden compass book published', 'keys');
  await expect(app.roundPart(1, 'reply.text')).not.toBeEmpty();
  await expect(app.roundPart(1, 'cost')).toContainText(/units · \$/);

  const gold = (await app.trajectory()).question.goldAnswers[0] ?? '';
  await expect(app.byId('composer.turn')).toContainText('turn 3 of 4');
  await app.answerTurn('The replies point to the answer.', gold);

  await expect.poll(() => app.state().then((s) => s.phase)).toBe('finished');
  await expect(app.byId('composer')).toHaveCount(0);
  await expect(app.rounds).toHaveCount(3);
  await expect(app.reward('format')).toHaveText('0');
  await expect(app.reward('answer')).toHaveText(gold);
  await expect(app.reward('em')).toHaveText('1');
  await expect(app.metric('calls')).toHaveText('2');
  await expect(app.metric('turns')).toHaveText('3');
  const t = await app.trajectory();
  expect(t.policy.kind).toBe('human');
  expect(t.rounds.map((r) => r.action.type)).toEqual(['route', 'route', 'answer']);

  // Step back and forth with the keyboard through what was played.
  const { totalSteps } = await app.state();
  await expect(app.position).toContainText(`Step ${totalSteps} / ${totalSteps}`);
  await app.press('ArrowLeft');
  await expect(app.position).toContainText(`Step ${totalSteps - 1} / ${totalSteps}`);
  await expect(app.roundPart(2, 'answer')).toHaveCount(0);
  await expect(app.rewardPending).toBeVisible();
  await app.press('k');
  await expect(app.round(2)).toHaveCount(0);
  await app.press('Home');
  await expect(app.rounds).toHaveCount(0);
  await app.press('ArrowRight');
  await app.press('j');
  await expect(app.roundPart(0, 'route')).toBeVisible();
  await expect.poll(() => app.state().then((s) => s.revealed)).toBe(2);
  await app.press('End');
  await expect(app.rounds).toHaveCount(3);
  await expect(app.reward('em')).toHaveText('1');
});

test('a wrong answer scores EM 0 with format 0, and an answer on the first turn needs no route', async ({ app }) => {
  await app.open();
  await app.byId('picker.item.0').click();
  await app.byId('episode.start').click();
  await app.answerTurn('I will guess.', 'definitely not the answer');
  await expect.poll(() => app.state().then((s) => s.phase)).toBe('finished');
  await expect(app.reward('format')).toHaveText('0');
  await expect(app.reward('em')).toHaveText('0');
  await expect(app.reward('total')).toHaveText('0');
});
