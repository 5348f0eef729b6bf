/**
 * The teacher cascade evaluated the browser's way — the worker's eval runtime over the in-process engine
 * the worker builds, reading the real offline bank (../shared/data) as its data root — gives the same
 * per-question EM, F1, cost and calls as core's runEvaluation with the trust the CLI computes
 * (evalSetup: bankTeacherPlan(bank).trust, training questions only), on held-out questions. Without
 * that trust the engine would order and confirm by prices alone and the two would drift apart.
 */
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mirrorDataRoot } from '../testing/dataRoot';
import {
  bankTeacherPlan,
  createInProcessEngine,
  createOfflineCaller,
  DEFAULT_ENV_SETTINGS,
  loadAgentPrompt,
  loadOfflineBank,
  offlineBankQuestions,
  offlinePoolModels,
  recordedScoresOf,
  runEvaluationToEnd,
  splitQuestions,
  type DataRoot,
  type EvalEvent,
  type EvalRow,
  type EvalRunSpec,
  type OfflineBank,
} from '../core/index';
import { createDataRootCache } from '../core/data/dataRootCache';
import { createEvalRuntime } from './evalRuntime';

const DATA_DIR = resolve(__dirname, '../../../shared/data');
const QUESTIONS = 6;

const numbers = (r: EvalRow) => ({ method: r.method, qi: r.questionIndex, id: r.id, em: r.em, f1: r.f1, costUnits: r.costUnits, costUsd: r.costUsd, calls: r.calls, models: r.models, format: r.format });

describe('teacher cascade: browser eval runtime = core runEvaluation with the CLI trust', () => {
  let bank: OfflineBank;
  let spec: EvalRunSpec;
  beforeAll(async () => {
    const root = mirrorDataRoot();
    bank = await loadOfflineBank(root);
    spec = {
      id: 'eval-offline-heldout-s42',
      dataset: 'offline-heldout',
      questions: splitQuestions(offlineBankQuestions(bank), 'heldout').slice(0, QUESTIONS),
      pool: offlinePoolModels(bank),
      methods: [
        { kind: 'teacher', alpha: 0 },
        { kind: 'teacher', alpha: 0.8 },
      ],
      agentTemplate: await loadAgentPrompt(root),
      settings: { ...DEFAULT_ENV_SETTINGS },
      alpha: 0,
      seed: 42,
      limits: { maxCalls: null, maxSpendUsd: null },
      sampling: { temperature: 1, topP: 1, topK: 0, seed: 42 },
    };
  });

  it('gives the same rows per question and method', async () => {
    // The browser: the worker's runtime over the engine (as engine.worker.ts builds it, minus HTTP).
    const engine = createInProcessEngine({ now: () => 0, dataRoots: createDataRootCache((dir) => mirrorDataRoot(dir)) });
    const runtime = createEvalRuntime(engine, async () => undefined);
    const browser: EvalRow[] = [];
    let last: EvalEvent | undefined;
    for await (const e of runtime.run({ dataRoot: DATA_DIR, spec, candidates: { kind: 'offline' } }, new AbortController().signal)) {
      if (e.type === 'eval.episode') browser.push(e.row);
      last = e;
    }
    expect(last?.type === 'eval.finished' && last.status).toBe('completed');

    // The CLI: core's runEvaluation with evalSetup's deps (offline caller, recorded scores, trust from training questions).
    const trust = bankTeacherPlan(bank).trust;
    const cli = await runEvaluationToEnd(spec, { caller: createOfflineCaller(bank), now: () => 0, teacherTrust: trust, recordedScores: (q) => recordedScoresOf(bank, q) });

    expect(browser).toHaveLength(QUESTIONS * 2);
    expect(browser.map(numbers)).toEqual(cli.state.rows.map(numbers));
    // Both teachers called someone, and α 0 confirms (more calls) where α 0.8 stops at the first answer.
    const calls = (method: string) => browser.filter((r) => r.method === method).reduce((n, r) => n + r.calls, 0);
    expect(calls('teacher:0.8')).toBeGreaterThan(0);
    expect(calls('teacher')).toBeGreaterThanOrEqual(calls('teacher:0.8'));
  });
});
