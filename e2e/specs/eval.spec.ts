/**
 * The Evaluation view on the offline pool's held-out split: 20 questions × several baselines
 * run in the worker; the per-dataset table, the Pareto plot's points, the routing share with the
 * collapse warning of a single-model method, a row opening its trajectory in the timeline, the CSV
 * export, and a run paused and resumed that ends with the same summary as the CLI's code
 * (buildEvalSetup + runEvaluation, run here in the test process on the same data root).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFsDataRoot } from '../../src/adapters/node/fsDataRoot';
import { buildEvalSetup } from '../../src/cli/eval/evalSetup';
import { CSV_COLUMNS } from '../../src/core/eval/exportResults';
import type { EvalSummary } from '../../src/core/eval/evalTypes';
import { runEvaluationToEnd } from '../../src/core/eval/runEvaluation';
import { expect, test } from '../fixtures';
import { EvalPage } from '../pages/evalPage';

const DATA_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)), 'shared/data');
const SINGLE = 'qwen2.5-7b-instruct';
const METHODS = [`single:${SINGLE}`, 'random', 'cheapest', 'largest', 'cascade', 'oracle'];
const QUESTIONS = 20;

/** The CLI's evaluation of the same configuration (`eval --dataset offline --split heldout --limit 20 --method … --seed 42`). */
async function cliSummary(): Promise<EvalSummary> {
  const flags = new Map([
    ['dataset', 'offline'],
    ['split', 'heldout'],
    ['limit', String(QUESTIONS)],
    ['method', METHODS.join(',')],
    ['seed', '42'],
  ]);
  const setup = await buildEvalSetup(flags, { root: createFsDataRoot(DATA_ROOT), env: {}, now: () => 0 });
  const done = await runEvaluationToEnd(setup.spec, { caller: setup.caller, now: () => 0, sizesB: setup.sizesB, ...(setup.recordedScores === undefined ? {} : { recordedScores: setup.recordedScores }) });
  return done.summary;
}

/** The numbers of a summary, by method (order-free). */
const numbers = (s: EvalSummary) => ({
  questions: s.questions,
  dataset: s.dataset,
  paretoFront: [...s.paretoFront].sort(),
  methods: Object.fromEntries(s.methods.map(({ method, ...m }) => [method, m])),
});

async function setUp(ev: EvalPage): Promise<void> {
  await ev.open();
  await ev.chooseMethods(METHODS);
  await ev.setLimit(QUESTIONS);
  await expect(ev.byId('eval.dataset')).toHaveValue('offline-heldout');
}

test('a 20-question held-out evaluation shows the table, the Pareto points, the routing share with a collapse warning, opens a trajectory and exports CSV', async ({ app, page }) => {
  await app.open();
  await app.waitForReferenceData();
  const ev = new EvalPage(page);
  await setUp(ev);
  await ev.start.click();
  await ev.waitForStatus('completed');
  expect((await ev.state()).rows).toBe(QUESTIONS * METHODS.length);

  // The table: every method on each dataset of the split (offline NQ and TriviaQA), the paper's EM beside ours.
  const table = await ev.rows();
  const datasets = new Set(table.map((r) => r.dataset));
  await expect(ev.tableRows).toHaveCount(datasets.size * METHODS.length);
  await expect(ev.byId('eval.table.row.0.paper')).toContainText('%');
  await expect(ev.byId('eval.table')).toContainText('Router-R1-Qwen EM (paper)');

  // The Pareto plot: one point per method, at least one on the front; the paper's points are a separate series.
  await expect(ev.paretoPoints).toHaveCount(METHODS.length);
  await expect(page.locator('[data-testid^="eval.pareto.point."][data-on-front="true"]').first()).toBeVisible();
  await expect(ev.byId('eval.pareto.paper')).toContainText('(paper)');

  // Routing share: the single-model method sends 100% of its calls to one model → collapse warning.
  await expect(ev.routingRows).toHaveCount(METHODS.length);
  const singleRow = page.locator(`[data-testid^="eval.routing.row."][data-method="single:${SINGLE}"]`);
  await expect(singleRow).toHaveAttribute('data-collapsed', 'true');
  await expect(singleRow.getByTestId(/^eval\.routing\.collapse\.\d+$/)).toContainText('100.0%');
  await expect(ev.byId('eval.hist.calls')).toBeVisible();

  // CSV export: the header and one row per question × method.
  const download = page.waitForEvent('download');
  await ev.byId('eval.export.csv').click();
  const csv = await readFile((await (await download).path()) ?? '', 'utf8');
  const lines = csv.trim().split('\n');
  expect(lines[0]).toBe(CSV_COLUMNS.join(','));
  expect(lines.length - 1).toBe(QUESTIONS * METHODS.length);

  // A row opens that method's first episode in the timeline (Replay).
  const row = ev.tableRows.nth(2);
  const method = (await row.getAttribute('data-method')) ?? '';
  await row.click();
  await expect(app.question).toBeVisible();
  await expect(ev.byId('eval.episodes')).toHaveAttribute('data-method', method);
  await expect.poll(() => app.state().then((s) => s.trajectoryId)).toMatch(new RegExp(`\\.${method.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  const shown = await app.trajectory();
  expect(shown.rounds.length).toBeGreaterThan(0);
  const first = table.filter((r) => r.method === method).sort((a, b) => a.questionIndex - b.questionIndex)[0];
  expect(shown.question.id).toBe(first?.id);
  // Another episode of the same method from its list.
  await ev.byId('eval.episode.1').click();
  await expect.poll(() => app.state().then((s) => s.trajectoryId)).toContain(`.1.${method}`);
});

test('pause and resume end with the same summary as the CLI on the same questions', async ({ app, page }) => {
  const expected = cliSummary();
  await app.open();
  await app.waitForReferenceData();
  const ev = new EvalPage(page);
  await setUp(ev);
  await ev.start.click();
  const pausedAt = await ev.pauseAfter(5);
  await ev.waitForStatus('paused');
  const paused = await ev.state();
  expect(paused.done).toBeGreaterThanOrEqual(pausedAt);
  expect(paused.done).toBeLessThan(QUESTIONS * METHODS.length);
  expect(paused.resumable).toBe(true);
  await expect(ev.resume).toBeEnabled();

  await ev.resume.click();
  await ev.waitForStatus('completed');
  const summary = await ev.summary();
  expect(summary).not.toBeNull();
  expect(numbers(summary as EvalSummary)).toEqual(numbers(await expected));
  expect((await ev.rows()).length).toBe(QUESTIONS * METHODS.length);
});
