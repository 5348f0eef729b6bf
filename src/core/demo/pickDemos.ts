/**
 * Which recorded episodes the demo gallery shows: from greedy runs of the embedded variants
 * over the same questions, one entry per category —
 *   multi-round     ≥ 2 answered calls before the answer
 *   escalation      a "cannot help" reply, then a call to another model that states an answer
 *   aggregation     two models state the same answer and the policy answers it
 *   alpha-compare   the same question by two variants, with different routes and costs
 *   one-call        one call, one answer
 * Pure and deterministic: candidates are ranked by fixed keys (correct first, then one where some reply
 * states an answer, then the category's own preference, then question order), and an episode used by
 * one entry is not reused by another.
 * Only describes episodes: it never runs one.
 */
import type { CallRecord, Trajectory } from '../env/trajectory';
import { extractDirectAnswer, isCannotHelp } from '../eval/directAnswer';
import { normalizeAnswer } from '../reward/normalize';
import { DEMO_CATEGORIES, type DemoCategory, type DemoEntry, type DemoRun } from './demoGallery';

/** One variant's greedy episodes, in question order (the same questions for every variant). */
export interface VariantRuns {
  variant: string;
  alpha: number;
  trajectories: readonly Trajectory[];
}

export interface PickedDemos {
  entries: DemoEntry[];
  /** Categories no episode illustrates (the caller says so). */
  missing: DemoCategory[];
}

type AnsweredCall = CallRecord & { poolIndex: number; reply: string };

/** Calls that reached a pool model and got a reply, in order. */
export function answeredCalls(t: Trajectory): AnsweredCall[] {
  return t.rounds.flatMap((r) => (r.call !== null && r.call.error === null && r.call.poolIndex !== null && r.call.reply !== null ? [r.call as AnsweredCall] : []));
}

/** The policy's final answer, when the episode ended with one. */
export function finalAnswer(t: Trajectory): string | undefined {
  if (t.status !== 'answered') return undefined;
  const last = t.rounds[t.rounds.length - 1]?.action;
  return last?.type === 'answer' ? last.answer : undefined;
}

const isCorrect = (t: Trajectory): boolean => (t.reward?.em ?? t.metrics?.em ?? 0) === 1;
const modelOf = (t: Trajectory, c: AnsweredCall): string => t.pool[c.poolIndex]?.name ?? c.modelName.trim();
const costOf = (t: Trajectory): number => t.metrics?.costUnits ?? 0;
const quote = (s: string): string => `“${s.trim()}”`;

export function isMultiRound(t: Trajectory): boolean {
  return finalAnswer(t) !== undefined && answeredCalls(t).length >= 2;
}

export function isOneCall(t: Trajectory): boolean {
  const calls = answeredCalls(t);
  return finalAnswer(t) !== undefined && t.metrics?.calls === 1 && calls.length === 1 && !isCannotHelp(calls[0]?.reply);
}

/** The first "cannot help" followed by another model's stated answer; undefined when there is none. */
export function escalationOf(t: Trajectory): { from: string; to: string } | undefined {
  if (finalAnswer(t) === undefined) return undefined;
  const calls = answeredCalls(t);
  for (const [i, c] of calls.entries()) {
    if (!isCannotHelp(c.reply)) continue;
    const next = calls.slice(i + 1).find((d) => d.poolIndex !== c.poolIndex && extractDirectAnswer(d.reply) !== undefined);
    if (next !== undefined) return { from: modelOf(t, c), to: modelOf(t, next) };
  }
  return undefined;
}

/** Two models whose stated answers agree with each other and with the policy's answer. */
export function aggregationOf(t: Trajectory): { models: [string, string]; answer: string } | undefined {
  const answer = finalAnswer(t);
  if (answer === undefined) return undefined;
  const target = normalizeAnswer(answer);
  const agreeing = answeredCalls(t).filter((c) => {
    const stated = extractDirectAnswer(c.reply);
    return stated !== undefined && normalizeAnswer(stated) === target;
  });
  const first = agreeing[0];
  const second = agreeing.find((c) => first !== undefined && c.poolIndex !== first.poolIndex);
  return first === undefined || second === undefined ? undefined : { models: [modelOf(t, first), modelOf(t, second)], answer };
}

/** Some reply states an answer (an episode of refusals only shows little). */
const statesAnAnswer = (t: Trajectory): boolean => answeredCalls(t).some((c) => extractDirectAnswer(c.reply) !== undefined);

const routeOf = (t: Trajectory): string => answeredCalls(t).map((c) => c.poolIndex).join(',');

/** Two answered runs of one question that route differently and cost differently. */
export function isAlphaContrast(a: Trajectory, b: Trajectory): boolean {
  return finalAnswer(a) !== undefined && finalAnswer(b) !== undefined && routeOf(a) !== routeOf(b) && costOf(a) !== costOf(b);
}

interface Candidate {
  run: DemoRun;
  /** Question position: the last tie-break. */
  order: number;
}

/** Lexicographic compare of rank keys (lower first). */
function byKeys<T>(keys: (x: T) => number[]): (a: T, b: T) => number {
  return (a, b) => {
    const ka = keys(a);
    const kb = keys(b);
    for (let i = 0; i < ka.length; i++) if ((ka[i] ?? 0) !== (kb[i] ?? 0)) return (ka[i] ?? 0) - (kb[i] ?? 0);
    return 0;
  };
}

const callsText = (t: Trajectory): string => answeredCalls(t).map((c) => modelOf(t, c)).join(' → ');
const units = (t: Trajectory): string => `${costOf(t).toFixed(1)} cost units`;

function single(category: Exclude<DemoCategory, 'alpha-compare'>, run: DemoRun): DemoEntry {
  const t = run.trajectory;
  const answer = quote(finalAnswer(t) ?? '');
  const calls = answeredCalls(t);
  const text = {
    'multi-round': () => ({ title: `Multi-round routing: ${calls.length} calls`, description: `${run.variant} asks ${callsText(t)} in turn, then answers ${answer} (${units(t)}).` }),
    escalation: () => {
      const e = escalationOf(t);
      return { title: 'Escalation after “cannot help”', description: `${e?.from ?? '?'} cannot help, so ${run.variant} asks ${e?.to ?? '?'} and answers ${answer}.` };
    },
    aggregation: () => {
      const g = aggregationOf(t);
      return { title: 'Aggregation: two replies agree', description: `${g?.models[0] ?? '?'} and ${g?.models[1] ?? '?'} both say ${answer}; ${run.variant} answers it.` };
    },
    'one-call': () => ({ title: 'One call, one answer', description: `${run.variant} asks ${callsText(t)} once and answers ${answer} (${units(t)}).` }),
  }[category]();
  return { id: category, category, ...text, ...run };
}

function alphaEntry(a: DemoRun, b: DemoRun): DemoEntry {
  const describe = (r: DemoRun): string => `${r.variant} (α ${r.alpha}) makes ${answeredCalls(r.trajectory).length} call(s), ${units(r.trajectory)}`;
  return {
    id: 'alpha-compare',
    category: 'alpha-compare',
    title: `α comparison: α ${a.alpha} vs α ${b.alpha} on one question`,
    description: `${describe(a)}; ${describe(b)}.`,
    ...a,
    compare: b,
  };
}

const key = (r: DemoRun): string => `${r.variant}\u0000${r.trajectory.question.id ?? r.trajectory.question.text}`;

/** The gallery's entries, in category order; see the module comment for the rules. */
export function pickDemos(runs: readonly VariantRuns[]): PickedDemos {
  const used = new Set<string>();
  const entries: DemoEntry[] = [];
  const missing: DemoCategory[] = [];
  const all: Candidate[] = runs.flatMap((v) => v.trajectories.map((trajectory, order) => ({ run: { variant: v.variant, alpha: v.alpha, trajectory }, order })));
  const fresh = (c: Candidate): boolean => !used.has(key(c.run));

  // 1. the α comparison: both correct first, then replies that state answers, then the larger difference in calls.
  const [lo, hi] = [...runs].sort((x, y) => x.alpha - y.alpha);
  const pairs = lo === undefined || hi === undefined || lo === hi ? [] : lo.trajectories.flatMap((t, order) => {
    const u = hi.trajectories[order];
    return u !== undefined && isAlphaContrast(t, u) ? [{ a: { variant: lo.variant, alpha: lo.alpha, trajectory: t }, b: { variant: hi.variant, alpha: hi.alpha, trajectory: u }, order }] : [];
  });
  pairs.sort(byKeys((p) => [-(Number(isCorrect(p.a.trajectory)) + Number(isCorrect(p.b.trajectory))), -(Number(statesAnAnswer(p.a.trajectory)) + Number(statesAnAnswer(p.b.trajectory))), -Math.abs(answeredCalls(p.a.trajectory).length - answeredCalls(p.b.trajectory).length), p.order]));
  const pair = pairs[0];
  if (pair === undefined) missing.push('alpha-compare');
  else {
    used.add(key(pair.a)).add(key(pair.b));
    entries.push(alphaEntry(pair.a, pair.b));
  }

  // 2. one episode per remaining category, most specific first so a general one does not take it.
  const rules: [Exclude<DemoCategory, 'alpha-compare'>, (t: Trajectory) => boolean, (t: Trajectory) => number][] = [
    ['aggregation', (t) => aggregationOf(t) !== undefined, (t) => answeredCalls(t).length],
    ['escalation', (t) => escalationOf(t) !== undefined, (t) => answeredCalls(t).length],
    ['multi-round', isMultiRound, (t) => -new Set(answeredCalls(t).map((c) => c.poolIndex)).size],
    ['one-call', isOneCall, () => 0],
  ];
  for (const [category, matches, prefer] of rules) {
    const best = all.filter((c) => fresh(c) && matches(c.run.trajectory)).sort(byKeys((c) => [Number(!isCorrect(c.run.trajectory)), Number(!statesAnAnswer(c.run.trajectory)), prefer(c.run.trajectory), c.order]))[0];
    if (best === undefined) missing.push(category);
    else {
      used.add(key(best.run));
      entries.push(single(category, best.run));
    }
  }
  entries.sort((a, b) => DEMO_CATEGORIES.indexOf(a.category) - DEMO_CATEGORIES.indexOf(b.category));
  return { entries, missing };
}
