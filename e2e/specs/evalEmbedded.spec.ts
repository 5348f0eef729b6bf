/**
 * The Evaluation view with the embedded policies (public/models/router-nano-a0 and router-nano-a08,
 * listed in embedded.json) and the teacher cascade they learned from, on 6 held-out questions of the
 * offline pool, the policies on wasm: a results row per method, a Pareto point per variant, and a
 * routing share per variant that differs between α = 0 (accuracy first) and α = 0.8 (cost first). The
 * teacher's numbers equal the CLI's (`eval --dataset offline --split heldout --limit 6 --method teacher`).
 *
 * Written for the trained models: with the tiny-router placeholders (random weights) both variants
 * route alike and the routing-share assertion fails.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFsDataRoot } from '../../src/adapters/node/fsDataRoot';
import { buildEvalSetup } from '../../src/cli/eval/evalSetup';
import type { EvalSummary } from '../../src/core/eval/evalTypes';
import { runEvaluationToEnd } from '../../src/core/eval/runEvaluation';
import { expect, test } from '../fixtures';
import { EvalPage } from '../pages/evalPage';

const DATA_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)), 'shared/data');
const VARIANTS = ['router-nano-a0', 'router-nano-a08'];
const METHODS = [...VARIANTS.map((v) => `policy:${v}`), 'teacher'];
const QUESTIONS = 6;

/** The CLI's numbers for the teacher on the same questions (evalSetup's trust from the training questions). */
async function cliTeacher(): Promise<EvalSummary['methods'][number] | undefined> {
  const flags = new Map([
    ['dataset', 'offline'],
    ['split', 'heldout'],
    ['limit', String(QUESTIONS)],
    ['method', 'teacher'],
    ['seed', '42'],
  ]);
  const setup = await buildEvalSetup(flags, { root: createFsDataRoot(DATA_ROOT), env: {}, now: () => 0 });
  const done = await runEvaluationToEnd(setup.spec, {
    caller: setup.caller,
    now: () => 0,
    sizesB: setup.sizesB,
    ...(setup.teacherTrust === undefined ? {} : { teacherTrust: setup.teacherTrust }),
    ...(setup.recordedScores === undefined ? {} : { recordedScores: setup.recordedScores }),
  });
  return done.summary.methods.find((m) => m.method === 'teacher');
}

test('both embedded variants and the teacher on 6 held-out questions (wasm): rows, a Pareto point per variant, different routing shares', async ({ app, page }) => {
  test.setTimeout(300_000);
  const expectedTeacher = cliTeacher();
  await app.open();
  await app.waitForReferenceData();
  const ev = new EvalPage(page);
  await ev.openWithPoliciesOnWasm();
  // The variants come from embedded.json.
  for (const v of VARIANTS) await expect(ev.byId(`eval.method.policy:${v}`)).toBeVisible({ timeout: 15_000 });
  await expect(ev.byId('eval.method.teacher:0.8')).toBeVisible();
  await ev.chooseMethods(METHODS);
  await ev.setLimit(QUESTIONS);
  await expect(ev.byId('eval.dataset')).toHaveValue('offline-heldout');
  await ev.start.click();
  await expect.poll(() => ev.state().then((s) => `${s.status}${s.error === null ? '' : `: ${s.error}`}`), { timeout: 240_000, intervals: [500] }).toBe('completed');
  expect((await ev.rows()).length).toBe(QUESTIONS * METHODS.length);

  // A results row for each method (per dataset of the split).
  for (const m of METHODS) await expect(page.locator(`[data-testid^="eval.table.row."][data-method="${m}"]`).first()).toBeVisible();

  // The Pareto plot: one point per method, so one per variant.
  await expect(ev.paretoPoints).toHaveCount(METHODS.length);
  for (const v of VARIANTS) await expect(page.locator(`[data-testid^="eval.pareto.point."][data-method="policy:${v}"]`)).toHaveCount(1);
  // A variant's point opens its episode: that model, decoded greedily.
  await page.locator('[data-testid^="eval.pareto.point."][data-method="policy:router-nano-a08"]').click();
  await expect.poll(() => app.state().then((s) => s.trajectoryId)).toMatch(/\.0\.policy:router-nano-a08$/);
  const episode = await app.trajectory();
  expect(episode.policy).toMatchObject({ kind: 'onnx', id: 'router-nano-a08', sampling: { temperature: 0 } });
  await ev.open();

  // The routing share: a row per variant, and the two variants route differently.
  for (const v of VARIANTS) await expect(page.locator(`[data-testid^="eval.routing.row."][data-method="policy:${v}"]`)).toHaveCount(1);
  const summary = (await ev.summary()) as EvalSummary;
  // The teacher's numbers are the CLI's on the same questions.
  expect(summary.methods.find((m) => m.method === 'teacher')).toEqual(await expectedTeacher);
  const share = (m: string) => summary.methods.find((x) => x.method === m)?.routingShare;
  const a0 = share('policy:router-nano-a0');
  const a08 = share('policy:router-nano-a08');
  expect(a0).toBeDefined();
  expect(Object.keys(a0 ?? {}).length + Object.keys(a08 ?? {}).length).toBeGreaterThan(0);
  expect(a08).not.toEqual(a0);
});

/**
 * The paper's "same policy weights used as a plain prompted router (no RL)": router-nano-a0's weights
 * before RL (embedded.json `warmups`, public/models/router-nano-a0-warmup) beside the cheapest model, on
 * 3 held-out questions (wasm): its rows, its table row, one Pareto point, and its episode is that folder
 * decoded greedily. The α control's method still names a variant, never a warm-up.
 */
test('a warm-up (router-nano-a0 before RL) as a method: rows, a table row, a Pareto point, greedy episodes', async ({ app, page }) => {
  test.setTimeout(180_000);
  const WARMUP = 'policy:router-nano-a0-warmup';
  const methods = [WARMUP, 'cheapest'];
  const questions = 3;
  await app.open();
  await app.waitForReferenceData();
  const ev = new EvalPage(page);
  await ev.openWithPoliciesOnWasm();
  const box = ev.byId(`eval.method.${WARMUP}`);
  await expect(box).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole('checkbox', { name: 'router-nano-a0 before RL (warm-up, α 0)' })).toBeVisible();
  await expect(box).toHaveAttribute('title', /same weights as router-nano-a0 before RL/);
  await expect(ev.byId('eval.method.policy:embedded')).not.toHaveAccessibleName(/warm/);
  await ev.chooseMethods(methods);
  await ev.setLimit(questions);
  await ev.start.click();
  await expect.poll(() => ev.state().then((s) => `${s.status}${s.error === null ? '' : `: ${s.error}`}`), { timeout: 150_000, intervals: [500] }).toBe('completed');
  const rows = await ev.rows();
  expect(rows.filter((r) => r.method === WARMUP)).toHaveLength(questions);
  expect(rows).toHaveLength(questions * methods.length);

  await expect(page.locator(`[data-testid^="eval.table.row."][data-method="${WARMUP}"]`).first()).toBeVisible();
  await expect(ev.paretoPoints).toHaveCount(methods.length);
  const point = page.locator(`[data-testid^="eval.pareto.point."][data-method="${WARMUP}"]`);
  await expect(point).toHaveCount(1);
  await point.click();
  await expect.poll(() => app.state().then((s) => s.trajectoryId)).toMatch(/\.0\.policy:router-nano-a0-warmup$/);
  const episode = await app.trajectory();
  expect(episode.policy).toMatchObject({ kind: 'onnx', id: 'router-nano-a0-warmup', sampling: { temperature: 0 } });
});
