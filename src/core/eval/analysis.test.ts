/**
 * The pure parts of evaluation: the Pareto front on hand-made points, diagnostics, the direct-answer
 * rule, CSV/JSONL round trips, and the held-out split on the mirror.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataRootError } from '../data/dataRoot';
import { buildExampleTrajectory } from '../run/exampleTrajectory';
import { loadOfflineBank } from '../offline/offlineBank';
import { datasetTable, histogram, paretoPoints } from './diagnostics';
import { extractDirectAnswer, isCannotHelp } from './directAnswer';
import type { EvalRow, EvalSummary } from './evalTypes';
import { summarizeRows } from './evalRows';
import { parseRowsCsv, parseTrajectoriesJsonl, rowsToCsv, trajectoriesToJsonl } from './exportResults';
import { isHeldOutQuestion, splitQuestions } from './heldOut';
import { paretoFront, isDominated } from './pareto';

describe('paretoFront', () => {
  it('keeps exactly the non-dominated points (lower cost, higher EM), by cost', () => {
    const points = [
      { id: 'a', costUnits: 1, em: 0.2 },
      { id: 'b', costUnits: 2, em: 0.5 },
      { id: 'c', costUnits: 3, em: 0.4 }, // dominated by b
      { id: 'd', costUnits: 5, em: 0.6 },
      { id: 'e', costUnits: 5, em: 0.55 }, // same cost as d, lower EM
      { id: 'f', costUnits: 0.5, em: 0.2 }, // dominates a (cheaper, same EM)
      { id: 'g', costUnits: 9, em: 0.6 }, // same EM as d, dearer
    ];
    expect(paretoFront(points).map((p) => p.id)).toEqual(['f', 'b', 'd']);
    for (const p of points) expect(isDominated(p, points)).toBe(!['f', 'b', 'd'].includes(p.id));
  });

  it('keeps exact duplicates and handles empty input', () => {
    expect(paretoFront([{ id: 'x', costUnits: 1, em: 1 }, { id: 'y', costUnits: 1, em: 1 }]).map((p) => p.id)).toEqual(['x', 'y']);
    expect(paretoFront([])).toEqual([]);
  });
});

function row(over: Partial<EvalRow>): EvalRow {
  return { id: 'q', questionIndex: 0, dataset: 'offline-nq', method: 'm', em: 0, f1: 0, format: 0, costUnits: 0, costUsd: 0, calls: 1, turns: 2, models: ['a'], reward: 0, status: 'answered', ...over };
}

describe('diagnostics', () => {
  const rows: EvalRow[] = [
    row({ questionIndex: 0, method: 'cascade', em: 1, f1: 1, models: ['a'], costUnits: 1 }),
    row({ questionIndex: 1, method: 'cascade', em: 0, f1: 0.5, models: ['a', 'b'], calls: 2, turns: 3, costUnits: 3 }),
    row({ questionIndex: 0, method: 'router', em: 1, f1: 1, models: ['b'], costUnits: 2 }),
    row({ questionIndex: 1, method: 'router', em: 1, f1: 1, models: ['b'], costUnits: 2, dataset: 'nq' }),
  ];
  const header = { runId: 'r', dataset: 'd', questions: 2, alpha: 0, seed: 1, limits: { maxCalls: null, maxSpendUsd: null } };
  const summary: EvalSummary = summarizeRows(header, rows, ['cascade', 'router']);

  it('summarises routing share with the collapse flag', () => {
    const [cascade, router] = summary.methods;
    expect(cascade?.routingShare).toEqual({ a: 2 / 3, b: 1 / 3 });
    expect(cascade?.collapsed).toBe(false);
    expect(router?.routingShare).toEqual({ b: 1 });
    expect(router?.collapsed).toBe(true);
    expect(summary.paretoFront).toEqual(['router']); // same mean cost (2), higher EM
  });

  it('puts the paper’s Router-R1-Qwen EM beside ours, flagged comparable only on the same benchmark', () => {
    const table = datasetTable(rows, ['cascade', 'router']);
    expect(table.find((r) => r.dataset === 'nq')?.paper).toMatchObject({ em: 0.388, comparable: true });
    expect(table.find((r) => r.dataset === 'offline-nq' && r.method === 'cascade')).toMatchObject({ questions: 2, em: 0.5, f1: 0.75, paper: { benchmark: 'nq', comparable: false } });
  });

  it('builds Pareto points per α and histograms with empty bins', () => {
    const pts = paretoPoints([summary, { ...summary, alpha: 0.9 }]);
    expect(pts.map((p) => p.id)).toContain('router@α=0.9');
    expect(histogram([0, 2, 2, 4])).toEqual([{ value: 0, count: 1 }, { value: 1, count: 0 }, { value: 2, count: 2 }, { value: 3, count: 0 }, { value: 4, count: 1 }]);
  });
});

describe('the direct-answer rule', () => {
  it('takes the bold span, else the first sentence without its lead-in; nothing from a refusal', () => {
    expect(extractDirectAnswer('Based on what I know, it is **Philip K. Dick**.')).toBe('Philip K. Dick');
    expect(extractDirectAnswer('The answer is Paris. It is the capital of France.')).toBe('Paris');
    expect(extractDirectAnswer('Answer: 1969\nMore text.')).toBe('1969');
    expect(extractDirectAnswer('I cannot answer this question with any confidence.')).toBeUndefined();
    expect(extractDirectAnswer('None')).toBeUndefined();
    expect(extractDirectAnswer('   ')).toBeUndefined();
    expect(isCannotHelp("Sorry, I don't know who that is.")).toBe(true);
    expect(isCannotHelp('Lyon.')).toBe(false);
  });
});

describe('exports round-trip', () => {
  it('CSV rows parse back equal, quotes, commas and line breaks included', () => {
    const rows = [row({ id: 'q,"1"\nx', models: ['a', 'b;c'.replace(';', '')], f1: 1 / 3, costUsd: 1.2345678901234e-7 }), row({ models: [], status: 'out-of-turns', format: -1 })];
    expect(parseRowsCsv(rowsToCsv(rows))).toEqual(rows);
    expect(() => parseRowsCsv('bad,header\n')).toThrow(/header/);
  });

  it('JSONL trajectories parse back equal', async () => {
    const t = await buildExampleTrajectory();
    expect(parseTrajectoriesJsonl(trajectoriesToJsonl([t, t]))).toEqual([t, t]);
    expect(() => parseTrajectoriesJsonl('{"x":1}\n')).toThrow(/line 1 is not a trajectory/);
  });
});

describe('the held-out split', () => {
  it('selects 208 of the mirror’s 1,000 bank questions by id, and train is the rest', async () => {
    const dir = resolve(__dirname, '../../../../shared/data');
    const bank = await loadOfflineBank({
      location: dir,
      readText: (p) => readFile(join(dir, p), 'utf8').catch((err: unknown) => Promise.reject(new DataRootError(`${p} missing`, { cause: err }))),
    });
    const held = splitQuestions(bank.questions, 'heldout');
    expect(held).toHaveLength(208);
    expect(splitQuestions(bank.questions, 'train')).toHaveLength(792);
    expect(held.every((q) => isHeldOutQuestion(q.id))).toBe(true);
  });
});
