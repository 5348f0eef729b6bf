/**
 * An evaluation run (DESIGN.md §7): every method × every question, each episode through the
 * real environment and reward (run/runEpisode.ts), streamed as events:
 *   eval.started → (eval.episode, eval.progress)* → eval.finished {status, summary, state}
 *
 * Order: question-major (all methods on question 0, then question 1, …), so running metrics of all
 * methods advance together. Each method scores with its OWN cost window (§2.4's window shared "by
 * everything scored" is per method here: mixing methods would make one method's reward depend on
 * another's costs). Randomness: each episode's rng is the run root's fork named by (method, question
 * id), so a method's result on a question does not depend on which other methods or questions run.
 *
 * Stopping: `pauseSignal` stops between episodes (status 'paused'); `signal` cancels at once, the
 * episode in flight is dropped (status 'cancelled'). A live-provider failure that is not the
 * question's own business (auth, network, CORS, rate limits, server errors, the session spending cap)
 * pauses the run before recording that episode, with the reason, so resuming re-runs it. Either way
 * `state` resumes the run exactly: pass it back as `resume`.
 */
import type { QuestionRecord, Trajectory } from '../env/trajectory';
import type { CallErrorKind } from '../env/trajectory';
import { createRng, restoreRng, type Rng } from '../math/rng';
import { hashHex64 } from '../math/hash';
import { createByteTokenizer } from '../tokenizer/byteTokenizer';
import type { CandidateCaller, Policy, Tokenizer } from '../policy/ports';
import { renderCompactPromptForPool, type TemplateId } from '../protocol/prompt';
import { createCostWindow, type CostWindow } from '../reward/costReward';
import type { EpisodeEvent } from '../run/episodeEvents';
import { fitSettingsToCapacity } from '../run/fitSettings';
import { runEpisode, type EpisodeRequest } from '../run/runEpisode';
import { createTeacherPolicy, teacherPlan, type TeacherPlan } from '../defaultPolicy/teacher';
import { pyStrip } from '../text/pyText';
import { createBaselinePolicy } from './baselines';
import { EvalMethodError, methodId } from './methodIds';
import { EVAL_STATE_VERSION, type EvalEvent, type EvalMethodSpec, type EvalRow, type EvalRunSpec, type EvalState, type EvalSummary, type RunningMetrics } from './evalTypes';
import { rowOf, summarizeRows, type SummaryHeader } from './evalRows';
import { withQuestionBudget } from './questionBudget';

export class EvalResumeError extends Error {
  override name = 'EvalResumeError';
}

/** What a policy method needs for one episode (the host builds it: an ONNX model, a human, …). */
export interface PolicyMethodPorts {
  policy: Policy;
  tokenizer: Tokenizer;
  template: TemplateId;
  /** The rendered user message for this question. */
  prompt: string;
  /**
   * Positions the policy model has for prompt + response + generation (its maximum less the chat
   * framing); the episode's token limits are fitted into it (run/fitSettings.ts). Absent: no limit.
   */
  contextCapacity?: number;
}

export interface PolicyEpisodeContext {
  question: QuestionRecord;
  /** This episode's sampling seed (drawn from the episode's rng). */
  seed: number;
  pool: EvalRunSpec['pool'];
  signal?: AbortSignal;
}

export interface EvalDeps {
  /** Answers the routes (offline pool, HTTP providers, scripted). Wrapped per question by the limits. */
  caller: CandidateCaller;
  now: () => number;
  /** Cancel: stops at once, the episode in flight is not recorded. */
  signal?: AbortSignal;
  /** Pause: stops after the episode in flight. */
  pauseSignal?: AbortSignal;
  /** Builds the ports of a 'policy' method for one episode. */
  policyFor?(method: Extract<EvalMethodSpec, { kind: 'policy' }>, ctx: PolicyEpisodeContext): Promise<PolicyMethodPorts>;
  /** Recorded scores of a question by pool model name (offline pool), for the oracle. */
  recordedScores?(question: QuestionRecord): Readonly<Record<string, number>> | undefined;
  /** Parameter counts (billions) by pool name, for 'largest'. */
  sizesB?: Readonly<Record<string, number>>;
  /**
   * Prior trust per pool model name for the teacher method (its accuracy on the offline bank's
   * TRAINING questions: defaultPolicy/corpus.ts bankTeacherPlan). Absent: prices only.
   */
  teacherTrust?: Readonly<Record<string, number>>;
  /** The tokenizer baselines are counted in (default: the byte tokenizer). */
  tokenizer?: Tokenizer;
  /** Every event of every episode (a live timeline). */
  onEpisodeEvent?(e: EpisodeEvent, where: { method: string; questionIndex: number }): void;
  /** Call errors that pause the run instead of being recorded (default RUN_STOPPING_ERRORS). */
  stopOnCallErrors?: readonly CallErrorKind[];
}

/** Failures of the provider, not of the question: recording them would bias the results. */
export const RUN_STOPPING_ERRORS: readonly CallErrorKind[] = ['auth', 'network', 'cors', 'rate-limit', 'server', 'timeout', 'malformed'];

/** A fingerprint of what the run evaluates; a resumed run must match it. */
export function evalSpecKey(spec: EvalRunSpec): string {
  const { id, dataset, questions, pool, methods, agentTemplate, settings, alpha, metric, seed, limits, sampling } = spec;
  return hashHex64(JSON.stringify({ id, dataset, questions, pool, methods, agentTemplate, settings, alpha, metric: metric ?? 'em', seed, limits, sampling: sampling ?? null }));
}

/** Checks a spec at the edge; every problem says what to fix. */
export function validateEvalSpec(spec: EvalRunSpec, deps: Pick<EvalDeps, 'policyFor' | 'recordedScores'>): void {
  if (spec.questions.length === 0) throw new EvalMethodError('The run has no questions; pick a dataset (and a --limit above 0).');
  const noGold = spec.questions.filter((q) => q.goldAnswers.length === 0 || pyStrip(q.text) === '');
  if (noGold.length > 0) {
    throw new EvalMethodError(`${noGold.length} question(s) have no gold answer or no text (first: ${noGold[0]?.id ?? '?'}); remove them or fix the dataset file.`);
  }
  if (spec.pool.length === 0) throw new EvalMethodError('The pool has no model; add at least one before evaluating.');
  if (spec.methods.length === 0) throw new EvalMethodError('The run has no method; add a baseline or a policy.');
  const ids = spec.methods.map(methodId);
  const dup = ids.find((m, i) => ids.indexOf(m) !== i);
  if (dup !== undefined) throw new EvalMethodError(`The method ${dup} is listed twice.`);
  for (const m of spec.methods) {
    if (m.kind === 'single' && !spec.pool.some((p) => p.name === m.model)) {
      throw new EvalMethodError(`single:${m.model} names no pool model; use one of: ${spec.pool.map((p) => p.name).join(', ')}.`);
    }
    if (m.kind === 'oracle' && deps.recordedScores === undefined) {
      throw new EvalMethodError('The oracle needs recorded per-question scores, which only the offline pool has; drop it for live providers.');
    }
    if (m.kind === 'teacher' && !(m.alpha >= 0 && m.alpha <= 1)) throw new EvalMethodError(`teacher:${m.alpha}: the teacher's α must be in [0, 1].`);
    if (m.kind === 'policy' && deps.policyFor === undefined) {
      throw new EvalMethodError(`policy:${m.id} needs a policy host (a model runtime); this run was started without one.`);
    }
  }
}

export function initialEvalState(spec: EvalRunSpec): EvalState {
  return { version: EVAL_STATE_VERSION, runId: spec.id, specKey: evalSpecKey(spec), rows: [], costWindows: {}, rng: createRng(spec.seed).fork('eval').snapshot(), elapsedMs: 0 };
}

export async function* runEvaluation(spec: EvalRunSpec, deps: EvalDeps, resume?: EvalState): AsyncGenerator<EvalEvent, EvalSummary> {
  validateEvalSpec(spec, deps);
  const state = resume === undefined ? initialEvalState(spec) : checkedResume(spec, resume);
  const methods = spec.methods.map(methodId);
  const root = restoreRng(state.rng);
  const windows = new Map<string, CostWindow>(methods.map((m) => [m, createCostWindow(state.costWindows[m] ?? [])]));
  const rows: EvalRow[] = [...state.rows];
  const done = new Set(rows.map((r) => doneKey(r.method, r.questionIndex)));
  const running = runningFrom(rows, methods);
  const total = spec.questions.length * methods.length;
  const plan = spec.methods.some((m) => m.kind === 'teacher') ? teacherPlan(spec.pool, deps.teacherTrust) : undefined;
  const started = deps.now();
  const doneBefore = rows.length;
  const header: SummaryHeader = { runId: spec.id, dataset: spec.dataset, questions: spec.questions.length, alpha: spec.alpha, seed: spec.seed, limits: spec.limits };
  const finish = (status: 'completed' | 'paused' | 'cancelled', reason?: string): EvalEvent & { type: 'eval.finished' } => {
    const costWindows: Record<string, number[]> = {};
    for (const [m, w] of windows) costWindows[m] = [...w.values()];
    const out: EvalState = { ...state, rows: [...rows], costWindows, elapsedMs: state.elapsedMs + (deps.now() - started) };
    return { type: 'eval.finished', status, summary: summarizeRows(header, rows, methods), state: out, ...(reason === undefined ? {} : { reason }) };
  };

  yield { type: 'eval.started', runId: spec.id, total, done: rows.length, methods, questions: spec.questions.length };
  for (let qi = 0; qi < spec.questions.length; qi++) {
    const question = spec.questions[qi] as QuestionRecord;
    for (const [mi, method] of spec.methods.entries()) {
      const mid = methods[mi] as string;
      if (done.has(doneKey(mid, qi))) continue;
      if (isAborted(deps.signal)) return yield* finished(finish('cancelled'));
      if (isAborted(deps.pauseSignal)) return yield* finished(finish('paused'));
      // 1. ports: the method's policy, the question's budget, the method's cost window.
      const rng = root.fork(`${mid}|${question.id ?? qi}`);
      const ports = await portsFor(spec, deps, method, question, rng, plan);
      const budget = withQuestionBudget(deps.caller, spec.limits);
      // 2. run the episode through the real environment.
      const req: EpisodeRequest = {
        id: `${spec.id}.${qi}.${mid}`,
        question,
        template: ports.template,
        prompt: ports.prompt,
        pool: spec.pool,
        agentTemplate: spec.agentTemplate,
        settings: fitSettingsToCapacity(spec.settings, ports.contextCapacity),
        alpha: spec.alpha,
        ...(spec.metric === undefined ? {} : { metric: spec.metric }),
      };
      const costWindow = windows.get(mid) as CostWindow;
      // An episode that is not recorded (cancelled, or paused for a provider failure) must not leave its
      // cost in the method's window: the resumed run re-runs it, and would otherwise score against it twice.
      const windowBefore = costWindow.values();
      const dropEpisode = (): void => void windows.set(mid, createCostWindow(windowBefore));
      const trajectory = await drain(runEpisode(req, { policy: ports.policy, caller: budget, tokenizer: ports.tokenizer, costWindow, now: deps.now, ...(deps.signal === undefined ? {} : { signal: deps.signal }) }), (e) =>
        deps.onEpisodeEvent?.(e, { method: mid, questionIndex: qi }),
      );
      if (isAborted(deps.signal)) {
        dropEpisode();
        return yield* finished(finish('cancelled'));
      }
      // 3. a provider failure pauses the run (the episode is re-run on resume); anything else is a result.
      const stop = stoppingError(trajectory, deps.stopOnCallErrors ?? RUN_STOPPING_ERRORS, budget.refusals());
      if (stop !== undefined) {
        dropEpisode();
        return yield* finished(finish('paused', stop));
      }
      const row = rowOf(trajectory, mid, qi, spec.dataset);
      rows.push(row);
      done.add(doneKey(mid, qi));
      addRunning(running, row);
      yield { type: 'eval.episode', method: mid, questionIndex: qi, row, trajectory };
      // 4. progress: ETA from this session's pace.
      const elapsed = deps.now() - started;
      const doneNow = rows.length - doneBefore;
      const etaMs = doneNow === 0 ? null : (elapsed / doneNow) * (total - rows.length);
      yield { type: 'eval.progress', done: rows.length, total, elapsedMs: state.elapsedMs + elapsed, etaMs, running: snapshotRunning(running) };
    }
  }
  return yield* finished(finish('completed'));
}

/** Runs a run to its end and returns the finished event (tests, the CLI without streaming). */
export async function runEvaluationToEnd(spec: EvalRunSpec, deps: EvalDeps, resume?: EvalState, onEvent?: (e: EvalEvent) => void): Promise<EvalEvent & { type: 'eval.finished' }> {
  let last: EvalEvent | undefined;
  for await (const e of runEvaluation(spec, deps, resume)) {
    onEvent?.(e);
    last = e;
  }
  if (last?.type !== 'eval.finished') throw new EvalResumeError('The evaluation ended without eval.finished; this is a bug in runEvaluation.');
  return last;
}

async function* finished(e: EvalEvent & { type: 'eval.finished' }): AsyncGenerator<EvalEvent, EvalSummary> {
  yield e;
  return e.summary;
}

function checkedResume(spec: EvalRunSpec, s: EvalState): EvalState {
  if (s.version !== EVAL_STATE_VERSION) throw new EvalResumeError(`The saved evaluation state has version ${String(s.version)}; this app reads version ${EVAL_STATE_VERSION}. Start the run again.`);
  if (s.specKey !== evalSpecKey(spec)) {
    throw new EvalResumeError('The saved evaluation state belongs to another setup (questions, pool, methods or settings changed); resume with the same setup or start a new run.');
  }
  return s;
}

async function portsFor(spec: EvalRunSpec, deps: EvalDeps, method: EvalMethodSpec, question: QuestionRecord, rng: Rng, plan: TeacherPlan | undefined): Promise<PolicyMethodPorts> {
  if (method.kind === 'policy') {
    const seed = rng.fork('policy.seed').nextUint32();
    return (deps.policyFor as NonNullable<EvalDeps['policyFor']>)(method, { question, seed, pool: spec.pool, ...(deps.signal === undefined ? {} : { signal: deps.signal }) });
  }
  const prompt = renderCompactPromptForPool(spec.pool, question.text);
  const tokenizer = deps.tokenizer ?? BYTE_TOKENIZER;
  if (method.kind === 'teacher') {
    const policy = createTeacherPolicy({ pool: spec.pool, question: question.text, ...(plan === undefined ? {} : { plan }) }, { alpha: method.alpha, rng: rng.fork('teacher') });
    return { policy, tokenizer, template: 'compact', prompt };
  }
  const scores = method.kind === 'oracle' ? deps.recordedScores?.(question) : undefined;
  const policy = createBaselinePolicy(method, {
    pool: spec.pool,
    question: question.text,
    rng: rng.fork('baseline'),
    ...(deps.sizesB === undefined ? {} : { sizesB: deps.sizesB }),
    ...(scores === undefined ? {} : { recordedScores: scores }),
  });
  return { policy, tokenizer, template: 'compact', prompt };
}

const BYTE_TOKENIZER = createByteTokenizer();

async function drain(events: AsyncGenerator<EpisodeEvent, Trajectory>, onEvent: (e: EpisodeEvent) => void): Promise<Trajectory> {
  for (;;) {
    const next = await events.next();
    if (next.done === true) return next.value;
    onEvent(next.value);
  }
}

/** The reason to pause, when a call failed for a provider-side reason (or the session cap, beyond the question's own refusals). */
function stoppingError(t: Trajectory, kinds: readonly CallErrorKind[], ownRefusals: number): string | undefined {
  let budgetErrors = 0;
  for (const round of t.rounds) {
    const err = round.call?.error;
    if (err == null) continue;
    if (kinds.includes(err.kind)) return `${round.call?.modelName ?? 'a model'} failed (${err.kind}): ${err.message}`;
    if (err.kind === 'budget' && ++budgetErrors > ownRefusals) return `The session spending cap stopped the run: ${err.message}`;
  }
  return undefined;
}

/** A function, not an inline check: TypeScript would narrow `aborted` across the awaits. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

const doneKey = (method: string, qi: number): string => `${method}\u0000${qi}`;

interface RunningSums {
  n: number;
  em: number;
  f1: number;
  costUnits: number;
  costUsd: number;
  calls: number;
}

function runningFrom(rows: readonly EvalRow[], methods: readonly string[]): Map<string, RunningSums> {
  const out = new Map<string, RunningSums>(methods.map((m) => [m, { n: 0, em: 0, f1: 0, costUnits: 0, costUsd: 0, calls: 0 }]));
  for (const r of rows) addRunning(out, r);
  return out;
}

function addRunning(running: Map<string, RunningSums>, r: EvalRow): void {
  const s = running.get(r.method);
  if (s === undefined) return;
  s.n++;
  s.em += r.em;
  s.f1 += r.f1;
  s.costUnits += r.costUnits;
  s.costUsd += r.costUsd;
  s.calls += r.calls;
}

function snapshotRunning(running: Map<string, RunningSums>): Record<string, RunningMetrics> {
  const out: Record<string, RunningMetrics> = {};
  for (const [m, s] of running) {
    const d = Math.max(s.n, 1);
    out[m] = { done: s.n, em: s.em / d, f1: s.f1 / d, costUnits: s.costUnits / d, costUsd: s.costUsd / d, calls: s.calls / d };
  }
  return out;
}
