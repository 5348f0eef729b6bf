/**
 * Browser = CLI for the embedded policies : `policy:router-nano-a08` and
 * `policy:router-nano-a0` evaluated the browser's way — the Evaluate view's request (the spec and the
 * policy spec evalActions sends: the embedded folder by name under the page's base URL, wasm, greedy,
 * no cost bias; its shape is pinned by ui/session/evalActions.test.ts) across a real MessageChannel
 * (EngineClient ↔ EngineHost) to the in-process engine the worker builds, whose policy runtime is the
 * browser's (onnxruntime-web on wasm, the model folder fetched over HTTP from public/) — give the same
 * per-question rows as the CLI command run as a child process:
 *
 *   npm run -s cli -- eval --policy public/models/<variant> --pool offline --dataset llmrouter:all:heldout --limit N
 *
 * (onnxruntime-node, the folder read from disk). Compared per question: id, the policy's raw text per
 * round, the answer, EM, F1, format, cost units, calls (valid routes, as the CLI counts them), the routes
 * (model and sub-query) and the status. Never metric values: the trained weights and their decoding
 * (router.json) may change; only the two paths must agree.
 *
 * The reward α is not compared: the CLI takes it from router.json, the view from its α control; it
 * changes the reward total only, not what the policy writes (embedded variants decode without bias).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEngineChannels, servePublic, type PublicServer } from '../testing/workerHarness';
import { mirrorDataRoot } from '../testing/dataRoot';
import {
  createInProcessEngine,
  DEFAULT_ENV_SETTINGS,
  loadAgentPrompt,
  loadOfflineBank,
  offlineBankQuestions,
  offlinePoolModels,
  splitQuestions,
  type DataRoot,
  type EvalEvent,
  type EvalRunSpec,
  type Trajectory,
} from '../core/index';
import { createDataRootCache } from '../core/data/dataRootCache';
import { createInMemoryCacheStore, createModelCache } from '../adapters/models/modelCache';
import { EngineClient } from './engineClient';
import { createBrowserPolicyRuntime } from './policyRuntime';

// onnxruntime-web in Node: its wasm files from the package, one thread (src/testing/workerHarness.ts).
vi.mock('../adapters/ort/ortEnvironment', async (importOriginal) => (await import('../testing/workerHarness')).ortEnvironmentInNode(await importOriginal()));

const ROOT = resolve(__dirname, '../..');
const DATA_DIR = resolve(ROOT, '../shared/data');
const QUESTIONS = 5;
const VARIANTS = ['router-nano-a08', 'router-nano-a0'] as const;
const SEED = 42;
const run = promisify(execFile);

/** What both paths must agree on, per question (the CLI's record fields, from the trajectory). */
function perQuestion(t: Trajectory) {
  return {
    id: t.question.id,
    rawTexts: t.rounds.map((r) => r.rawText),
    answer: t.reward?.answer ?? null,
    em: t.metrics?.em,
    f1: t.metrics?.f1,
    format: t.metrics?.format,
    cost: t.metrics?.costUnits,
    calls: t.metrics?.routes,
    routes: t.rounds.flatMap((r) => (r.call === null ? [] : [{ model: r.call.modelName, query: r.call.query, cost: r.call.costUnits }])),
    status: t.status,
  };
}

interface CliRecord {
  id: string;
  answer: string | null;
  em: 0 | 1;
  f1: number;
  cost: number;
  calls: number;
  format_valid: boolean;
  trajectory: Trajectory;
}

describe('embedded policies: browser eval (worker, onnxruntime-web wasm) = CLI eval --policy (onnxruntime-node)', () => {
  let http: PublicServer;
  let client: EngineClient;
  const channels = createEngineChannels();
  let spec: Omit<EvalRunSpec, 'methods'>;
  const tmp = mkdtempSync(join(tmpdir(), 'embedded-parity-'));

  beforeAll(async () => {
    http = await servePublic();
    const engine = createInProcessEngine({
      now: () => 0,
      dataRoots: createDataRootCache((dir) => mirrorDataRoot(dir)),
      policyRuntime: createBrowserPolicyRuntime({ cache: createModelCache({ store: createInMemoryCacheStore(), estimate: async () => ({}) }) }),
    });
    client = channels.connect(engine);
    const root = mirrorDataRoot();
    const bank = await loadOfflineBank(root);
    // As the Evaluate view builds it for "Offline pool — held-out split", N questions, seed 42.
    spec = {
      id: `eval-offline-heldout-s${SEED}`,
      dataset: 'offline-heldout',
      questions: splitQuestions(offlineBankQuestions(bank), 'heldout').slice(0, QUESTIONS),
      pool: offlinePoolModels(bank),
      agentTemplate: await loadAgentPrompt(root),
      settings: { ...DEFAULT_ENV_SETTINGS },
      alpha: 0,
      seed: SEED,
      limits: { maxCalls: null, maxSpendUsd: null },
      sampling: { temperature: 1, topP: 1, topK: 0, seed: SEED },
    };
  });

  afterAll(async () => {
    channels.closeAll();
    await http?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it.each(VARIANTS)('%s: the same rows per question', async (variant) => {
    // The CLI, as a user runs it (a child process: tsx, onnxruntime-node, the folder on disk).
    const out = join(tmp, `${variant}.jsonl`);
    const cli = run(
      join(ROOT, 'node_modules/.bin/tsx'),
      ['src/cli/main.ts', 'eval', '--policy', `public/models/${variant}`, '--pool', 'offline', '--dataset', 'llmrouter:all:heldout', '--limit', String(QUESTIONS), '--data-root', DATA_DIR, '--out', out],
      { cwd: ROOT, env: { ...process.env, ROUTER_DATA_ROOT: DATA_DIR } },
    );

    // The browser: the view's request for the method policy:<variant> (evalActions.policiesFor).
    const trajectories: Trajectory[] = [];
    let last: EvalEvent | undefined;
    const req = {
      dataRoot: DATA_DIR,
      spec: { ...spec, methods: [{ kind: 'policy' as const, id: variant, label: variant }] },
      candidates: { kind: 'offline' as const },
      policies: { [variant]: { kind: 'onnx' as const, model: { kind: 'embedded' as const, name: variant, baseUrl: http.baseUrl }, preferredDevice: 'wasm' as const, sampling: { temperature: 0, topP: 1, topK: 0, seed: SEED } } },
    };
    for await (const e of client.runEvaluation(req)) {
      if (e.type === 'eval.episode') trajectories.push(e.trajectory);
      last = e;
    }
    expect(last?.type === 'eval.finished' && `${last.status}${last.reason === undefined ? '' : `: ${last.reason}`}`).toBe('completed');
    expect(trajectories).toHaveLength(QUESTIONS);
    // The browser ran the variant on wasm, greedily, with no bias.
    for (const t of trajectories) expect(t.policy).toMatchObject({ kind: 'onnx', id: variant, sampling: { temperature: 0 } });

    const { stdout } = await cli;
    const summary = JSON.parse(stdout.trim()) as { n: number; failed: number; temperature: number };
    expect(summary).toMatchObject({ n: QUESTIONS, failed: 0, temperature: 0 });
    const records = (await readFile(out, 'utf8'))
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as CliRecord);
    expect(records).toHaveLength(QUESTIONS);

    // Same questions in the same order, and per question the same episode.
    expect(trajectories.map((t) => t.question.id)).toEqual(records.map((r) => r.id));
    expect(trajectories.map(perQuestion)).toEqual(records.map((r) => perQuestion(r.trajectory)));
    // The CLI's record fields are the trajectory's (what `eval --policy` prints is what was compared).
    expect(records.map((r) => ({ answer: r.answer, em: r.em, f1: r.f1, cost: r.cost, calls: r.calls, format_valid: r.format_valid }))).toEqual(
      trajectories.map((t) => ({ answer: t.reward?.answer ?? null, em: t.metrics?.em, f1: t.metrics?.f1, cost: t.metrics?.costUnits, calls: t.metrics?.routes, format_valid: t.metrics?.format === 0 })),
    );
    // Something was decided: at least one episode routed (a policy that never writes a route would agree trivially).
    expect(trajectories.some((t) => t.rounds.some((r) => r.call !== null))).toBe(true);
  });
});
