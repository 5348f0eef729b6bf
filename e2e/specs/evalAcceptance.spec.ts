/**
 * The acceptance run, as a new user would do it in the Evaluate view: a 20-question evaluation of
 * the embedded policy ("embedded policy by α", on wasm) and three baselines (cheapest, largest, random)
 * on the offline pool's held-out questions; the results table (a row per dataset and method), the
 * Pareto plot (one point per method) and the routing chart (one row per method) render; moving the α
 * slider — from the keyboard — switches the embedded variant (router-nano-a0 → router-nano-a08) and
 * sets its cost-aware bias, and the next run's routing share of the embedded policy differs; the plot
 * then holds a point per method and α; clicking the embedded policy's point opens its trajectory, and
 * its point of the earlier run (α 0, the same method id) opens that run's trajectory (router-nano-a0 at
 * α 0), not the latest run's — from the keyboard.
 *
 * Only structure and "different" are asserted, never the trained policies' numbers (their weights and
 * decoding may change). The routing-share assertion needs the trained variants: with placeholder
 * (random) weights both variants may route alike.
 */
import type { EvalSummary } from '../../src/core';
import { expect, test } from '../fixtures';
import { EvalPage } from '../pages/evalPage';

const QUESTIONS = 20;
const BASELINES = ['cheapest', 'largest', 'random'];
const POLICY = 'policy:embedded';
const METHODS = [...BASELINES, POLICY];

test('20 held-out questions, the embedded policy by α and three baselines: table, Pareto points, routing share; α switches the variant and the routing; a point opens its trajectory', async ({ app, page }) => {
  test.setTimeout(360_000);
  await app.open();
  await app.waitForReferenceData();
  const ev = new EvalPage(page);
  await ev.openWithPoliciesOnWasm();
  const policyBox = ev.byId(`eval.method.${POLICY}`);
  await expect(policyBox).toBeVisible({ timeout: 15_000 });
  await ev.chooseMethods(BASELINES);
  // From the keyboard: the method is a checkbox (Space), α a range input (Home, arrow keys).
  await policyBox.focus();
  await page.keyboard.press('Space');
  await expect(policyBox).toBeChecked();
  const alpha = ev.byId('eval.alpha');
  await alpha.focus();
  await page.keyboard.press('Home');
  await expect(ev.byId('eval.alpha.value')).toHaveText('0.00');
  await expect(ev.byId('eval.alpha.variant')).toContainText('router-nano-a0');
  await expect(page.getByRole('checkbox', { name: 'embedded policy by α (router-nano-a0)' })).toBeChecked();
  await ev.setLimit(QUESTIONS);
  await expect(ev.byId('eval.dataset')).toHaveValue('offline-heldout');

  /** Start a run and wait for its own summary (the previous run's status is 'completed' too). */
  const runToEnd = async (alpha: number): Promise<EvalSummary> => {
    await ev.start.click();
    const finished = async () => {
      const [s, summary] = await Promise.all([ev.state(), ev.summary()]);
      return s.status === 'completed' && summary?.alpha !== alpha ? 'an earlier run' : `${s.status}${s.error === null ? '' : `: ${s.error}`}`;
    };
    await expect.poll(finished, { timeout: 150_000, intervals: [500] }).toBe('completed');
    const summary = await ev.summary();
    if (summary === null) throw new Error('No evaluation summary after a completed run');
    return summary;
  };
  const embeddedPoints = page.locator(`[data-testid^="eval.pareto.point."][data-method="${POLICY}"]`);
  const embeddedRouting = page.locator(`[data-testid^="eval.routing.row."][data-method="${POLICY}"]`);

  // 1. α = 0: the accuracy-first variant.
  const t0 = Date.now();
  const first = await runToEnd(0);
  test.info().annotations.push({ type: 'run α=0', description: `${Date.now() - t0} ms` });
  const rows = await ev.rows();
  expect(rows).toHaveLength(QUESTIONS * METHODS.length);
  expect(first.methods.map((m) => m.method).sort()).toEqual([...METHODS].sort());
  expect(first.methods.every((m) => m.questions === QUESTIONS)).toBe(true);
  // The table: a row per dataset of the questions and method.
  const datasets = new Set(rows.map((r) => r.dataset));
  await expect(ev.tableRows).toHaveCount(datasets.size * METHODS.length);
  for (const m of METHODS) await expect(page.locator(`[data-testid^="eval.table.row."][data-method="${m}"]`)).toHaveCount(datasets.size);
  // The Pareto plot: one point per method; the routing chart: one row per method.
  await expect(ev.paretoPoints).toHaveCount(METHODS.length);
  for (const m of METHODS) await expect(page.locator(`[data-testid^="eval.pareto.point."][data-method="${m}"]`)).toHaveCount(1);
  await expect(ev.byId('eval.pareto')).toHaveAttribute('data-points', String(METHODS.length));
  await expect(ev.routingRows).toHaveCount(METHODS.length);
  await expect(ev.byId('eval.routing')).toHaveAttribute('data-rows', String(METHODS.length));
  await expect(embeddedRouting).toHaveCount(1);
  await expect(ev.byId('eval.routing').locator('svg').first()).toBeVisible();
  await expect(ev.byId('eval.pareto').locator('svg').first()).toBeVisible();

  // 2. α → 0.8 from the keyboard (16 steps of 0.05): the cost-first variant, with the bias λ = 3.2.
  await alpha.focus();
  for (let i = 0; i < 16; i++) await page.keyboard.press('ArrowRight');
  await expect(ev.byId('eval.alpha.value')).toHaveText('0.80');
  await expect(ev.byId('eval.alpha.variant')).toContainText('router-nano-a08');
  await expect(page.getByRole('checkbox', { name: 'embedded policy by α (router-nano-a08)' })).toBeChecked();
  const t1 = Date.now();
  const second = await runToEnd(0.8);
  test.info().annotations.push({ type: 'run α=0.8', description: `${Date.now() - t1} ms` });
  expect(second.alpha).toBe(0.8);
  expect(second.methods.map((m) => m.method).sort()).toEqual([...METHODS].sort());

  // The embedded policy's routing share changed with α (it routed in at least one of the runs).
  const share = (s: EvalSummary) => s.methods.find((m) => m.method === POLICY)?.routingShare ?? {};
  expect(Object.keys(share(first)).length + Object.keys(share(second)).length).toBeGreaterThan(0);
  expect(share(second)).not.toEqual(share(first));
  // Both runs on one plot and one chart: a point and a routing row per method and α.
  await expect(ev.paretoPoints).toHaveCount(2 * METHODS.length);
  await expect(embeddedPoints).toHaveCount(2);
  await expect(ev.routingRows).toHaveCount(2 * METHODS.length);
  await expect(embeddedRouting).toHaveCount(2);
  await expect(embeddedRouting.filter({ hasText: 'α=0.8' })).toHaveCount(1);

  // 3. The embedded policy's point at α 0.8 opens its first episode: router-nano-a08, greedy.
  await embeddedPoints.and(page.locator('[data-alpha="0.8"]')).click();
  await expect.poll(() => app.state().then((s) => s.trajectoryId)).toMatch(/\.0\.policy:embedded$/);
  const episode = await app.trajectory();
  expect(episode.policy).toMatchObject({ kind: 'onnx', id: 'router-nano-a08', sampling: { temperature: 0 } });
  expect(episode.reward?.alpha).toBe(0.8);
  expect(episode.question.id).toBe(rows.find((r) => r.questionIndex === 0)?.id);
  await expect(app.question).toBeVisible();

  // 4. The same method's point of the earlier run (α 0) opens THAT run's first episode — router-nano-a0
  // at α 0 — not the latest run's (both have the trajectory id …0.policy:embedded); Enter on the point.
  await ev.open();
  const earlierPoint = embeddedPoints.and(page.locator('[data-alpha="0"]'));
  await expect(earlierPoint).toHaveAttribute('data-kept', 'true');
  await earlierPoint.focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => app.trajectory().then((t) => t.policy.id)).toBe('router-nano-a0');
  const earlier = await app.trajectory();
  expect(earlier.id).toMatch(/\.0\.policy:embedded$/);
  expect(earlier.policy).toMatchObject({ kind: 'onnx', id: 'router-nano-a0', sampling: { temperature: 0 } });
  expect(earlier.reward?.alpha).toBe(0);
  expect(earlier.question.id).toBe(rows.find((r) => r.questionIndex === 0)?.id);
  await expect(app.question).toBeVisible();
});
