/**
 * `npm run -s cli -- eval --policy P --pool offline --dataset llmrouter:<task>:<split> --out FILE`:
 * one policy (a model folder, or a baseline by name) on the offline pool and a split of the LLMRouter
 * bank. Prints ONE JSON line on stdout and writes one JSON record per question to FILE:
 *
 *   stdout  {"em","f1","cost","calls","format_valid","routing_share","n","policy","dataset","alpha","seed",…}
 *           cost = mean reference cost units per question; calls = mean valid routes per question
 *           (the reference's route count); format_valid = share of episodes with format reward 0
 *   FILE    {"id","question","gold","answer","em","f1","cost","calls","format_valid","routes","status","trajectory"}
 *
 * The episodes run through the same evaluation loop as `--method` (core/eval/runEvaluation.ts); this
 * module only translates the flags and shapes the output. A model folder decodes greedily unless
 * `--temperature` is given, and its router.json's α is the reward α unless `--alpha` is given.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EvalMethodError, parseMethodId, UnknownMethodIdError } from '../../core/eval/methodIds';
import type { EvalEvent, EvalRow, MethodSummary } from '../../core/eval/evalTypes';
import { runEvaluation } from '../../core/eval/runEvaluation';
import type { Trajectory } from '../../core/env/trajectory';
import { parseRouterJson, ROUTER_JSON_FILE, RouterJsonError } from '../../core/model/routerJson';
import type { EvalCommandIo, EvalCommandResult } from './evalIo';
import { buildEvalSetup, evalDepsOf, EvalUsageError, EVAL_USAGE, parseLlmRouterDataset } from './evalSetup';

/** What `--policy` accepts besides a model folder: a baseline's method id (a bad parameter, e.g. teacher:1.5, is still one, and says so later). */
function isBaselineName(policy: string): boolean {
  try {
    return parseMethodId(policy).kind !== 'policy';
  } catch (err) {
    return !(err instanceof UnknownMethodIdError);
  }
}

/** Flags of the `--method` interface that mean something else (or nothing) here. */
const NOT_WITH_POLICY = ['method', 'split', 'provider', 'base-url', 'resume', 'spending-cap', 'yes'] as const;

/** The issue's summary fields of one policy on one split. */
export interface PolicySummary {
  n: number;
  em: number;
  f1: number;
  /** Mean reference cost units per question. */
  cost: number;
  /** Mean valid routes per question. */
  calls: number;
  format_valid: number;
  routing_share: Record<string, number>;
}

export interface PolicyEvalSummary extends PolicySummary {
  policy: string;
  dataset: string;
  alpha: number;
  seed: number;
  /** Sampling temperature of a model folder (0 = greedy); absent for baselines. */
  temperature?: number;
  /** Episodes that failed (an error inside the policy or a call; scored as wrong). */
  failed: number;
  out: string;
}

export interface PolicyEvalRecord {
  id: string;
  question: string;
  gold: string[];
  answer: string | null;
  em: 0 | 1;
  f1: number;
  cost: number;
  calls: number;
  format_valid: boolean;
  routes: { model: string; pool_model: string | null; query: string; cost: number; error: string | null }[];
  status: Trajectory['status'];
  trajectory: Trajectory;
}

interface ResolvedPolicy {
  /** The --method text it stands for. */
  method: string;
  /** α from the folder's router.json (null: unknown or a baseline). */
  folderAlpha: number | null;
  isFolder: boolean;
}

export async function runPolicyEvalCommand(flags: ReadonlyMap<string, string>, io: EvalCommandIo): Promise<EvalCommandResult> {
  let resolved: ResolvedPolicy;
  let setup;
  let temperature: number | undefined;
  const out = flags.get('out');
  const policy = flags.get('policy') ?? '';
  try {
    for (const f of NOT_WITH_POLICY) if (flags.has(f)) throw new EvalUsageError(`--${f} does not combine with --policy (the offline pool, one policy, the split in --dataset).`);
    const pool = flags.get('pool') ?? 'offline';
    if (pool !== 'offline') throw new EvalUsageError(`--pool must be offline with --policy, got "${pool}" (live pools: use --method with --provider).`);
    const dataset = flags.get('dataset');
    if (dataset === undefined) throw new EvalUsageError('--policy needs --dataset llmrouter:<task>:<split>, e.g. llmrouter:all:heldout.');
    parseLlmRouterDataset(dataset);
    if (out === undefined || out === '' || out === 'true') throw new EvalUsageError('--policy needs --out FILE for the per-question records (JSONL).');
    resolved = await resolvePolicy(policy);
    if (flags.has('temperature')) {
      const t = Number(flags.get('temperature'));
      if (!resolved.isFolder) throw new EvalUsageError('--temperature applies to a model folder, not to a baseline.');
      if (!Number.isFinite(t) || t < 0) throw new EvalUsageError(`--temperature must be a number ≥ 0, got "${flags.get('temperature')}".`);
      temperature = t;
    } else if (resolved.isFolder) temperature = 0;
    const setupFlags = new Map(flags);
    for (const f of ['policy', 'pool', 'out', 'temperature']) setupFlags.delete(f);
    setupFlags.set('method', resolved.method);
    if (!flags.has('alpha') && resolved.folderAlpha !== null) setupFlags.set('alpha', String(resolved.folderAlpha));
    setup = await buildEvalSetup(setupFlags, { root: io.root, env: io.env, now: io.now });
  } catch (err) {
    if (err instanceof EvalUsageError || err instanceof EvalMethodError) {
      io.stderr.write(`${err.message}\n\nUsage: npm run -s cli -- ${EVAL_USAGE}\n`);
      return { code: 2 };
    }
    throw err;
  }
  const { spec } = setup;
  if (resolved.isFolder && resolved.folderAlpha === null && !flags.has('alpha')) setup.notes.push(`${policy}/router.json gives no alpha; the reward uses α = 0 (set --alpha to change it).`);
  if (temperature !== undefined) spec.sampling = { temperature, topP: 1, topK: 0, seed: spec.seed };
  for (const n of setup.notes) io.stderr.write(`note: ${n}\n`);

  const { deps, host } = evalDepsOf(setup, io, 0);
  const records: PolicyEvalRecord[] = [];
  let finished: (EvalEvent & { type: 'eval.finished' }) | undefined;
  let firstFailure: string | undefined;
  try {
    for await (const e of runEvaluation(spec, deps)) {
      if (e.type === 'eval.episode') {
        records.push(recordOf(e.trajectory, e.row));
        if (e.trajectory.status === 'failed') firstFailure ??= e.trajectory.error ?? 'unknown error';
      }
      if (e.type === 'eval.progress' && (e.done % 100 === 0 || e.done === e.total)) io.stderr.write(`  ${e.done}/${e.total} questions\n`);
      if (e.type === 'eval.finished') finished = e;
    }
  } catch (err) {
    if (err instanceof EvalMethodError) {
      io.stderr.write(`${err.message}\n\nUsage: npm run -s cli -- ${EVAL_USAGE}\n`);
      return { code: 2 };
    }
    throw err;
  } finally {
    await host?.dispose();
  }
  if (finished === undefined) throw new Error('The evaluation ended without eval.finished; this is a bug.');
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, records.map((r) => JSON.stringify(r) + '\n').join(''));
  const method = finished.summary.methods[0] as MethodSummary;
  const failed = records.filter((r) => r.status === 'failed').length;
  const summary: PolicyEvalSummary = {
    em: method.em,
    f1: method.f1,
    cost: method.costUnits,
    calls: mean(records.map((r) => r.calls)),
    format_valid: method.formatValidRate,
    routing_share: method.routingShare,
    n: records.length,
    policy,
    dataset: spec.dataset,
    alpha: spec.alpha,
    seed: spec.seed,
    ...(temperature === undefined ? {} : { temperature }),
    failed,
    out,
  };
  if (failed > 0) io.stderr.write(`warning: ${failed} episode(s) failed (scored as wrong); first: ${firstFailure ?? '?'}\n`);
  io.stdout.write(JSON.stringify(summary) + '\n');
  if (finished.status !== 'completed') {
    io.stderr.write(`The run ${finished.status === 'paused' ? 'paused' : 'was cancelled'}${finished.reason === undefined ? '' : `: ${finished.reason}`}; the summary covers the questions done.\n`);
    return { code: 4, summary: finished.summary };
  }
  return { code: 0, summary: finished.summary };
}

/** A baseline name stays a method; anything else must be a model folder with a router.json. */
async function resolvePolicy(policy: string): Promise<ResolvedPolicy> {
  if (policy === '' || policy === 'true') throw new EvalUsageError('--policy needs a model folder or a baseline name (single:<model>, random, cheapest, largest, cascade, oracle, teacher, teacher:<α>).');
  if (isBaselineName(policy)) return { method: policy, folderAlpha: null, isFolder: false };
  if (/^https?:\/\//.test(policy)) return { method: `onnx:${policy}`, folderAlpha: null, isFolder: true };
  if (!existsSync(policy) || !statSync(policy).isDirectory()) {
    throw new EvalUsageError(`--policy ${policy}: no such model folder (nor a baseline name: single:<model>, random, cheapest, largest, cascade, oracle, teacher, teacher:<α>).`);
  }
  const routerPath = join(policy, ROUTER_JSON_FILE);
  if (!existsSync(routerPath)) throw new EvalUsageError(`--policy ${policy} has no ${ROUTER_JSON_FILE}: a router model folder names its prompt template, pool and α there (convert or train-default writes it).`);
  let router;
  try {
    router = parseRouterJson(JSON.parse(await readFile(routerPath, 'utf8')) as unknown);
  } catch (err) {
    if (err instanceof RouterJsonError || err instanceof SyntaxError) throw new EvalUsageError(`${routerPath}: ${err.message}`);
    throw err;
  }
  return { method: `onnx:${policy}`, folderAlpha: router.alpha, isFolder: true };
}

function recordOf(t: Trajectory, row: EvalRow): PolicyEvalRecord {
  return {
    id: row.id,
    question: t.question.text,
    gold: [...t.question.goldAnswers],
    answer: t.reward?.answer ?? null,
    em: row.em,
    f1: row.f1,
    cost: row.costUnits,
    calls: t.metrics?.routes ?? row.calls,
    format_valid: row.format === 0,
    routes: t.rounds.flatMap((r) =>
      r.call === null ? [] : [{ model: r.call.modelName, pool_model: r.call.poolIndex === null ? null : (t.pool[r.call.poolIndex]?.name ?? null), query: r.call.query, cost: r.call.costUnits, error: r.call.error?.message ?? null }],
    ),
    status: t.status,
    trajectory: t,
  };
}

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length;
}
