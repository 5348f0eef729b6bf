/**
 * Turns `eval` flags into an evaluation: the questions (offline bank or a QA set from the data root),
 * the pool (the offline pool, or the LLMRouter / paper pool on a live provider), the methods, the
 * candidate caller and the run spec. Keys come from the environment only (e.g. OPENROUTER_API_KEY),
 * are handed to the HTTP caller and never printed or written.
 */
import type { DataRoot } from '../../core/data/dataRoot';
import { DATA_PATHS, loadAgentPrompt } from '../../core/data/dataRoot';
import { isQaDatasetId, parseQaJsonl, qaDatasetPath, QA_DATASETS } from '../../core/data/qaDatasets';
import { DEFAULT_ENV_SETTINGS, type PoolModelRecord, type QuestionRecord } from '../../core/env/trajectory';
import { EvalMethodError, methodId, parseMethodId, UnknownMethodIdError } from '../../core/eval/methodIds';
import type { EvalMethodSpec, EvalRunSpec } from '../../core/eval/evalTypes';
import { isHeldOutQuestion, splitQuestions } from '../../core/eval/heldOut';
import { DEFAULT_TEACHER_ALPHAS, toQuestionRecord } from '../../core/defaultPolicy/corpus';
import { bankTeacherTrust, trainingBankQuestions } from '../../core/defaultPolicy/teacher';
import { isOfflineTask, loadOfflineBank, OFFLINE_DATA_PATHS, OFFLINE_DATASETS, OFFLINE_TASKS, type OfflineBank, type OfflineTask } from '../../core/offline/offlineBank';
import { createOfflineCaller, parseSizeB } from '../../core/offline/offlineCaller';
import { offlineBankQuestions, offlinePoolModels, OFFLINE_PROVIDER } from '../../core/offline/offlinePool';
import { recordedScoresOf } from '../../core/offline/matchBankQuestion';
import type { CandidateCaller } from '../../core/policy/ports';
import type { FetchLike } from '../../core/providers/fetchPort';
import { createHttpCandidateCaller, DEFAULT_ROUND_DEADLINE_MS, DEFAULT_TIMEOUT_MS } from '../../core/providers/httpCandidateCaller';
import { llmRouterPoolPreset, LLMROUTER_CANDIDATES_PATH, paperPoolPreset } from '../../core/providers/poolPresets';
import { PROVIDER_PRESETS, type ProviderConfig } from '../../core/providers/providerConfig';
import { createMemoryResponseCache } from '../../core/providers/responseCache';
import { createSpendingCap } from '../../core/providers/spendingCap';
import { DEFAULT_SAMPLING } from '../../core/share/shareState';
import type { EvalDeps } from '../../core/eval/runEvaluation';
import { createNodePolicyHost, type NodePolicyHost } from './nodePolicyHost';

export const EVAL_USAGE = `eval --policy P --pool offline --dataset llmrouter:<task>:<split> [--data-root DIR] [--limit N]
        [--alpha A] [--seed S] [--temperature T] --out FILE
    One policy on the offline pool: prints one JSON summary line {em, f1, cost, calls, format_valid,
    routing_share, n, policy, dataset, …} and writes one JSON record per question to FILE (JSONL).
    P: a model folder (with router.json; its alpha is the reward α unless --alpha is given; greedy
       decoding unless --temperature), or a baseline: single:<model> | random | cheapest | largest |
       cascade | oracle | teacher | teacher:<α>
    <task>: natural_qa | trivia_qa | all    <split>: train (training questions not held out) |
       heldout (the held-out training questions) | test (the bank's test.json, upstream only)

eval --dataset D [--method M[,M…]] [--limit N] [--split all|heldout|train] [--alpha A] [--seed S]
        [--max-calls N] [--max-spend USD] [--out DIR] [--resume] [--data-root DIR]
        [--provider ID [--base-url URL] [--pool llmrouter|paper] [--spending-cap USD]
         [--call-timeout-s S] [--round-deadline-s S] [--yes]]
    D: offline | offline-nq | offline-triviaqa | llmrouter:<task>:<split> | ${QA_DATASETS.map((d) => d.id).join(' | ')}
    M: all | single:<model> | random | cheapest | largest | cascade | oracle | teacher | teacher:<α>
       | onnx:<model folder or URL>
    teacher: the cost-aware teacher cascade of the embedded policy's training data (α < 0.5 confirms
    answers with a larger model; teacher:0.8 stops at the first answer); trust from training questions.
    Offline pool by default (no keys). QA sets need a live provider: the offline pool answers only the
    questions its bank holds (others get "cannot help"). --provider openrouter reads OPENROUTER_API_KEY
    (<ID>_API_KEY in general); a live run prints its cost estimate and needs --yes.
    --split heldout: the offline bank's held-out questions (fnv1a32('heldout:'+id) mod 5 = 0; 208 of 1000).`;

export class EvalUsageError extends Error {
  override name = 'EvalUsageError';
}

export interface EvalSetupDeps {
  root: DataRoot;
  env: Readonly<Record<string, string | undefined>>;
  fetch?: FetchLike;
  now: () => number;
}

export interface EvalSetup {
  spec: EvalRunSpec;
  caller: CandidateCaller;
  live: boolean;
  bank: OfflineBank | null;
  recordedScores?: (q: QuestionRecord) => Readonly<Record<string, number>> | undefined;
  sizesB: Record<string, number>;
  /** The teacher method's trust per model: accuracy on the bank's training questions (never held-out or test ones). */
  teacherTrust?: Readonly<Record<string, number>>;
  /** onnx: methods, policy id → folder. */
  onnxFolders: Map<string, string>;
  notes: string[];
}

function num(flags: ReadonlyMap<string, string>, name: string, fallback: number, check: (x: number) => boolean, what: string): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const x = Number(raw);
  if (!Number.isFinite(x) || !check(x)) throw new EvalUsageError(`--${name} must be ${what}, got "${raw}".`);
  return x;
}

export async function buildEvalSetup(flags: ReadonlyMap<string, string>, d: EvalSetupDeps): Promise<EvalSetup> {
  const dataset = flags.get('dataset') ?? 'offline';
  const providerId = flags.get('provider');
  const live = providerId !== undefined;
  const notes: string[] = [];
  const bank = await loadOfflineBank(d.root);
  // 1. questions
  let questions = await loadQuestions(dataset, d.root, bank, notes);
  const split = flags.get('split') ?? 'all';
  if (dataset.startsWith('llmrouter:') && split !== 'all') throw new EvalUsageError(`--split does not combine with --dataset ${dataset}: the dataset names its split.`);
  if (split !== 'all' && split !== 'heldout' && split !== 'train') throw new EvalUsageError(`--split must be all, heldout or train, got "${split}".`);
  questions = splitQuestions(questions, split);
  const limit = num(flags, 'limit', questions.length, (x) => Number.isInteger(x) && x > 0, 'a whole number above 0');
  questions = questions.slice(0, limit);
  if (isQaDatasetId(dataset) && !live) notes.push(`${dataset} on the offline pool: only questions matching the bank are answered; use --provider for a real evaluation.`);
  // 2. pool and caller
  const { pool, caller, sizesB } = live ? await livePool(flags, d, providerId, bank) : offlinePool(bank);
  // 3. methods
  const methods = parseMethods(flags.get('method') ?? 'all', pool, live);
  const onnxFolders = new Map<string, string>();
  for (const m of methods) if (m.kind === 'policy' && m.label !== undefined) onnxFolders.set(m.id, m.label);
  const alpha = num(flags, 'alpha', 0, (x) => x >= 0 && x <= 1, 'in [0, 1]');
  const seed = num(flags, 'seed', 42, Number.isSafeInteger, 'a whole number');
  const maxCalls = flags.has('max-calls') ? num(flags, 'max-calls', 0, (x) => Number.isInteger(x) && x >= 0, 'a whole number ≥ 0') : null;
  const maxSpendUsd = flags.has('max-spend') ? num(flags, 'max-spend', 0, (x) => x >= 0, 'a dollar amount ≥ 0') : null;
  const label = `${dataset}${split === 'all' ? '' : `-${split}`}`;
  const spec: EvalRunSpec = {
    id: `eval-${label}-s${seed}`,
    dataset: label,
    questions,
    pool,
    methods,
    agentTemplate: await loadAgentPrompt(d.root),
    settings: { ...DEFAULT_ENV_SETTINGS },
    alpha,
    seed,
    limits: { maxCalls, maxSpendUsd },
    sampling: { ...DEFAULT_SAMPLING, seed },
  };
  const offline = pool.every((m) => m.provider === OFFLINE_PROVIDER);
  const setup: EvalSetup = { spec, caller, live, bank, sizesB, onnxFolders, notes };
  if (offline) setup.recordedScores = (q) => recordedScoresOf(bank, q);
  const trust = bankTeacherTrust(bank);
  if (trust !== null) setup.teacherTrust = trust;
  return setup;
}

export type LlmRouterSplit = 'train' | 'test' | 'heldout';
export const LLMROUTER_SPLITS: readonly LlmRouterSplit[] = ['train', 'test', 'heldout'];

/** `llmrouter:<task>:<split>` → its parts; anything else is a usage error that lists the choices. */
export function parseLlmRouterDataset(text: string): { task: OfflineTask | 'all'; split: LlmRouterSplit } {
  const [head, task = '', split = '', ...rest] = text.split(':');
  const tasks = [...OFFLINE_TASKS, 'all'];
  if (head !== 'llmrouter' || rest.length > 0) throw new EvalUsageError(`--dataset must be llmrouter:<task>:<split> here, got "${text}".`);
  if (task !== 'all' && !isOfflineTask(task)) throw new EvalUsageError(`Unknown task "${task}" in --dataset ${text}; use ${tasks.join(', ')}.`);
  if (!(LLMROUTER_SPLITS as readonly string[]).includes(split)) throw new EvalUsageError(`Unknown split "${split}" in --dataset ${text}; use ${LLMROUTER_SPLITS.join(', ')}.`);
  return { task, split: split as LlmRouterSplit };
}

/**
 * The offline bank's questions of a task and split, in bank order:
 *   train    training questions that are not held out (what the embedded policy trains on)
 *   heldout  the held-out training questions (eval/heldOut.ts)
 *   test     the bank's test split, read from the upstream test.json (the mirror has none)
 */
export function llmRouterQuestions(bank: OfflineBank, task: OfflineTask | 'all', split: LlmRouterSplit, where: string): QuestionRecord[] {
  const ofTask = (q: { task: OfflineTask }): boolean => task === 'all' || q.task === task;
  if (split === 'test' && bank.stats.rows.test === null) {
    throw new EvalUsageError(`llmrouter:${task}:test needs the bank's test split, but ${where}/${OFFLINE_DATA_PATHS.test} does not exist; put LLMRouter's test.json there (or give --data-root), or use the train or heldout split.`);
  }
  const picked =
    split === 'train' ? trainingBankQuestions(bank) : split === 'heldout' ? bank.questions.filter((q) => q.split === 'train' && isHeldOutQuestion(q.id)) : bank.questions.filter((q) => q.split === 'test');
  const out = picked.filter(ofTask).map(toQuestionRecord);
  if (out.length === 0) throw new EvalUsageError(`llmrouter:${task}:${split} has no question in ${where}/${split === 'test' ? OFFLINE_DATA_PATHS.test : OFFLINE_DATA_PATHS.train}.`);
  return out;
}

async function loadQuestions(dataset: string, root: DataRoot, bank: OfflineBank, notes: string[]): Promise<QuestionRecord[]> {
  if (dataset === 'offline') return offlineBankQuestions(bank);
  if (dataset.startsWith('llmrouter:')) {
    const { task, split } = parseLlmRouterDataset(dataset);
    return llmRouterQuestions(bank, task, split, root.location);
  }
  if (dataset === OFFLINE_DATASETS.natural_qa) return offlineBankQuestions(bank, { task: 'natural_qa' });
  if (dataset === OFFLINE_DATASETS.trivia_qa) return offlineBankQuestions(bank, { task: 'trivia_qa' });
  if (!isQaDatasetId(dataset)) throw new EvalUsageError(`Unknown --dataset "${dataset}"; use offline, offline-nq, offline-triviaqa, llmrouter:<task>:<split> or one of ${QA_DATASETS.map((x) => x.id).join(', ')}.`);
  const path = qaDatasetPath(dataset);
  const rows = parseQaJsonl(await root.readText(path), `${root.location}/${path}`);
  const paper = rows.filter((r) => r.metadata['router_r1_test'] === true).length;
  notes.push(`${dataset}: ${rows.length} questions, ${paper} of them in the paper's evaluation sample (metadata.router_r1_test).`);
  return rows.map((r) => ({ id: r.id, dataset, text: r.question, goldAnswers: [...r.goldenAnswers] }));
}

function offlinePool(bank: OfflineBank): { pool: PoolModelRecord[]; caller: CandidateCaller; sizesB: Record<string, number> } {
  const sizesB: Record<string, number> = {};
  for (const m of bank.models) {
    const b = parseSizeB(m.size);
    if (b !== undefined) sizesB[m.name] = b;
  }
  return { pool: offlinePoolModels(bank), caller: createOfflineCaller(bank), sizesB };
}

async function livePool(flags: ReadonlyMap<string, string>, d: EvalSetupDeps, providerId: string, bank: OfflineBank): Promise<{ pool: PoolModelRecord[]; caller: CandidateCaller; sizesB: Record<string, number> }> {
  const baseUrl = flags.get('base-url');
  const preset = (PROVIDER_PRESETS as Readonly<Record<string, ProviderConfig>>)[providerId];
  if (preset === undefined && baseUrl === undefined) {
    throw new EvalUsageError(`Unknown --provider "${providerId}"; use one of ${Object.keys(PROVIDER_PRESETS).join(', ')}, or give --base-url for an OpenAI-compatible server.`);
  }
  const provider: ProviderConfig = { ...(preset ?? { id: providerId, label: providerId, kind: 'openai', needsKey: false }), ...(baseUrl === undefined ? {} : { baseUrl }), baseUrl: baseUrl ?? preset?.baseUrl ?? '' };
  const keyVar = `${providerId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_API_KEY`;
  const key = d.env[keyVar];
  if (provider.needsKey && (key === undefined || key === '')) throw new EvalUsageError(`--provider ${providerId} needs a key: set ${keyVar} in the environment (it is never printed or written).`);
  const which = flags.get('pool') ?? 'llmrouter';
  const presets = which === 'paper' ? paperPoolPreset(await d.root.readText(DATA_PATHS.pool)) : which === 'llmrouter' ? llmRouterPoolPreset(await d.root.readText(LLMROUTER_CANDIDATES_PATH)) : undefined;
  if (presets === undefined) throw new EvalUsageError(`--pool must be llmrouter or paper, got "${which}".`);
  const pool = presets.map((p) => ({ ...p.record, provider: provider.id }));
  const sizesB: Record<string, number> = {};
  for (const p of presets) {
    const b = parseSizeB(p.size ?? bank.models.find((m) => m.name === p.record.name)?.size ?? '');
    if (b !== undefined) sizesB[p.record.name] = b;
  }
  if (d.fetch === undefined) throw new EvalUsageError('This host has no fetch; live providers need one.');
  const cap = flags.has('spending-cap') ? num(flags, 'spending-cap', 0, (x) => x >= 0, 'a dollar amount ≥ 0') : Number.POSITIVE_INFINITY;
  const caller = createHttpCandidateCaller({
    providers: [provider],
    getKey: (id) => (id === provider.id ? key : undefined),
    fetch: d.fetch,
    now: d.now,
    sleep: (ms, signal) => new Promise((resolve, reject) => {
      const t = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
    }),
    cache: createMemoryResponseCache(),
    spendingCap: createSpendingCap(cap),
    // A provider that never answers ends its round after the deadline (attempts and backoff together).
    timeoutMs: 1000 * num(flags, 'call-timeout-s', DEFAULT_TIMEOUT_MS / 1000, (x) => x > 0, 'seconds > 0'),
    roundDeadlineMs: 1000 * num(flags, 'round-deadline-s', DEFAULT_ROUND_DEADLINE_MS / 1000, (x) => x > 0, 'seconds > 0'),
  });
  return { pool, caller, sizesB };
}

const CLI_METHOD_FORMS = 'all, single:<model>, random, cheapest, largest, cascade, oracle, teacher, teacher:<α> or onnx:<folder>';

/**
 * The method list: comma-separated method ids (core's parseMethodId) plus the CLI's shorthand: `all` =
 * every single model, random, cheapest, largest, cascade, the teacher at α 0 and 0.8, and the oracle on
 * the offline pool; `onnx:<folder or URL>` = a model folder as a policy. Duplicates are dropped.
 */
export function parseMethods(text: string, pool: readonly PoolModelRecord[], live: boolean): EvalMethodSpec[] {
  const out: EvalMethodSpec[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    if (part === 'all') {
      out.push(...pool.map((m): EvalMethodSpec => ({ kind: 'single', model: m.name })), { kind: 'random' }, { kind: 'cheapest' }, { kind: 'largest' }, { kind: 'cascade' }, ...DEFAULT_TEACHER_ALPHAS.map((alpha): EvalMethodSpec => ({ kind: 'teacher', alpha })));
      if (!live) out.push({ kind: 'oracle' });
    } else out.push(parseMethodPart(part));
  }
  const seen = new Set<string>();
  const unique = out.filter((m) => !seen.has(methodId(m)) && (seen.add(methodId(m)), true));
  if (unique.length === 0) throw new EvalMethodError('No method given; use --method all or a list.');
  return unique;
}

/** One entry of --method: `onnx:<folder>`, or a method id (a `policy:<id>` needs a folder here, so onnx: names it). */
function parseMethodPart(part: string): EvalMethodSpec {
  if (part.startsWith('onnx:')) {
    const folder = part.slice('onnx:'.length);
    if (folder === '') throw new EvalUsageError('onnx: needs a model folder or URL, e.g. onnx:public/models/tiny-router.');
    return { kind: 'policy', id: `onnx:${folder.replace(/\/+$/, '').split('/').pop() ?? folder}`, label: folder };
  }
  if (part === 'human') throw new EvalUsageError('"human" evaluation (you are the router) runs in the browser app, not the CLI.');
  let spec: EvalMethodSpec;
  try {
    spec = parseMethodId(part);
  } catch (err) {
    if (err instanceof UnknownMethodIdError) throw new EvalUsageError(`Unknown --method "${part}"; use ${CLI_METHOD_FORMS}.`);
    if (err instanceof EvalMethodError) throw new EvalUsageError(err.message);
    throw err;
  }
  if (spec.kind === 'policy') throw new EvalUsageError(`Unknown --method "${part}"; use ${CLI_METHOD_FORMS}.`);
  return spec;
}

/**
 * The evaluation's ports from its setup: the pool's caller, recorded scores and teacher trust, the onnx:
 * policies on a node host (sampling from the spec, else `defaultTemperature`), Ctrl-C's signals.
 * The caller disposes `host`.
 */
export function evalDepsOf(setup: EvalSetup, io: { root: DataRoot; now: () => number; signal?: AbortSignal; pauseSignal?: AbortSignal }, defaultTemperature: number): { deps: EvalDeps; host: NodePolicyHost | undefined } {
  const { spec } = setup;
  const host = setup.onnxFolders.size > 0 ? createNodePolicyHost({ root: io.root, sampling: spec.sampling ?? { temperature: defaultTemperature, topP: 1, topK: 0, seed: spec.seed }, now: io.now }) : undefined;
  const deps: EvalDeps = {
    caller: setup.caller,
    now: io.now,
    sizesB: setup.sizesB,
    ...(setup.teacherTrust === undefined ? {} : { teacherTrust: setup.teacherTrust }),
    ...(setup.recordedScores === undefined ? {} : { recordedScores: setup.recordedScores }),
    ...(host === undefined ? {} : { policyFor: (m, ctx) => host.portsFor(setup.onnxFolders.get(m.id) ?? m.id, ctx) }),
    ...(io.signal === undefined ? {} : { signal: io.signal }),
    ...(io.pauseSignal === undefined ? {} : { pauseSignal: io.pauseSignal }),
  };
  return { deps, host };
}
