/**
 * The cost-aware teacher (DESIGN.md §6): a scripted router Policy whose trajectories are the
 * supervised warm-up data of the embedded policy. It writes ordinary protocol turns with the compact
 * template's pool names, decided only from the replies it has read:
 *
 *   - think (a short templated thought), then route to the cheapest model first (ties: the more
 *     trusted one, by `TeacherPlan.trust`: accuracy on the training split, or nothing);
 *   - escalate to the next cheapest when a reply cannot help or states no answer;
 *   - confirm mode (α below `confirmBelowAlpha`, default 0.5): a stated answer is confirmed with a
 *     larger model (dearer than the one that answered; the most trusted, then the dearest first); when two replies
 *     disagree (normalised stated answers differ) it asks one more to break the tie; it answers as soon
 *     as two replies agree;
 *   - first-answer mode (α ≥ the threshold): it answers with the first stated answer;
 *   - at most `maxRoutes` (default 3) routes; when it may route no more it answers from the
 *     information: the agreed answer, else the answer of the most trusted model that stated one, else
 *     "unknown".
 *
 * One policy instance per episode (it remembers whom it asked). Replies are read with
 * eval/directAnswer.ts (exact on the offline pool's bold answers; a best effort on live replies).
 *
 * Its trust in a bank's models (`bankTeacherTrust`) is learnt from the bank's training questions only, and
 * every host (the eval CLI, the in-process engine, the corpus builder) takes it from here. Must not read a
 * held-out or test question: `trainingBankQuestions` filters them, `assertTrainingQuestions` refuses them.
 */
import type { Rng } from '../math/rng';
import type { PoolModelRecord } from '../env/trajectory';
import { isHeldOutQuestion } from '../eval/heldOut';
import type { OfflineBank, OfflineQuestion } from '../offline/offlineBank';
import { offlinePoolModels } from '../offline/offlinePool';
import type { GenerateRequest, Policy } from '../policy/ports';
import { repliesInContext } from '../eval/baselines';
import { extractDirectAnswer, isCannotHelp } from '../eval/directAnswer';
import { normalizeQuestion } from '../protocol/prompt';
import { normalizeAnswer } from '../reward/normalize';
import { pyStrip } from '../text/pyText';

export const DEFAULT_TEACHER_MAX_ROUTES = 3;
export const DEFAULT_CONFIRM_BELOW_ALPHA = 0.5;

export interface TeacherPlan {
  /** Pool names, cheapest first (output price, input price, then more trusted, then pool order). */
  cheapFirst: string[];
  /** Prior trust per name (e.g. accuracy on the training split); higher is better. Missing → 0. */
  trust: Readonly<Record<string, number>>;
}

export interface TeacherOptions {
  /** The cost weight the data is for (default 0). */
  alpha?: number;
  /** Below this α the teacher confirms answers; at or above it stops at the first (default 0.5). */
  confirmBelowAlpha?: number;
  maxRoutes?: number;
  /** Picks among phrasings of the thoughts; without it the first phrasing is always used. */
  rng?: Rng;
  /**
   * Short fixed thoughts that never repeat a stated answer (one phrasing each). What the embedded
   * policies learn from: fewer tokens to copy, so a small model makes fewer mistakes. Default false.
   */
  terse?: boolean;
}

export interface TeacherContext {
  pool: readonly PoolModelRecord[];
  /** The question as asked. */
  question: string;
  plan?: TeacherPlan;
}

/** The teacher's plan from prices and, when given, per-model accuracy (use training questions only). */
export function teacherPlan(pool: readonly PoolModelRecord[], trust: Readonly<Record<string, number>> = {}): TeacherPlan {
  const cheapFirst = pool
    .map((m, i) => ({ m, i }))
    .sort((a, b) => a.m.outputPer1M - b.m.outputPer1M || a.m.inputPer1M - b.m.inputPer1M || (trust[b.m.name] ?? 0) - (trust[a.m.name] ?? 0) || a.i - b.i)
    .map((x) => x.m.name);
  return { cheapFirst, trust: { ...trust } };
}

/** Share of questions each model answers correctly by its recorded score (≥ 0.5), for `teacherPlan`. */
export function recordedAccuracy(questions: readonly { scores: Readonly<Record<string, number>> }[], models: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of models) out[m] = questions.length === 0 ? 0 : questions.filter((q) => (q.scores[m] ?? 0) >= 0.5).length / questions.length;
  return out;
}

export class HeldOutLeakError extends Error {
  override name = 'HeldOutLeakError';
}

/** The bank's training questions that are not held out, in bank order. */
export function trainingBankQuestions(bank: OfflineBank): OfflineQuestion[] {
  return bank.questions.filter((q) => q.split === 'train' && !isHeldOutQuestion(q.id));
}

/** Throws a HeldOutLeakError at the first question outside `trainingBankQuestions`. */
export function assertTrainingQuestions(questions: readonly OfflineQuestion[]): void {
  const bad = questions.find((q) => q.split !== 'train' || isHeldOutQuestion(q.id));
  if (bad !== undefined) {
    throw new HeldOutLeakError(`Question ${bad.id} is ${bad.split === 'train' ? 'held out' : `in the ${bad.split} split`}; training data may use only trainingBankQuestions(bank).`);
  }
}

/** The teacher's plan for the bank's pool, trusting each model by its accuracy on the training questions. */
export function bankTeacherPlan(bank: OfflineBank, training: readonly OfflineQuestion[] = trainingBankQuestions(bank)): TeacherPlan {
  assertTrainingQuestions(training);
  const pool = offlinePoolModels(bank);
  return teacherPlan(pool, recordedAccuracy(training, pool.map((m) => m.name)));
}

/** The teacher's trust per bank model (its accuracy on the training questions); null when the bank has none. */
export function bankTeacherTrust(bank: OfflineBank): Readonly<Record<string, number>> | null {
  return trainingBankQuestions(bank).length > 0 ? bankTeacherPlan(bank).trust : null;
}

export function teacherConfirms(opts: TeacherOptions): boolean {
  return (opts.alpha ?? 0) < (opts.confirmBelowAlpha ?? DEFAULT_CONFIRM_BELOW_ALPHA);
}

const TAGS = /<\/?(think|search|answer|information)>/g;

/** Text safe inside a block: no protocol tags, single-line, trimmed. */
function clean(text: string): string {
  return pyStrip(text.replace(TAGS, '').replace(/\s+/g, ' '));
}

/** The sub-query: the normalised question without colons (a second colon would cut it, §2.2). */
export function teacherQuery(question: string): string {
  return pyStrip(normalizeQuestion(question).replace(/:/g, ''));
}

type Phrase = (v: Record<string, string>) => string;

const THOUGHTS = {
  first: [
    (v) => `Cheapest first: ask ${v.model}.`,
    (v) => `Start with the cheapest model, ${v.model}.`,
    (v) => `${v.model} is the cheapest; try it first.`,
  ],
  cannotHelp: [
    (v) => `${v.prev} cannot help; escalate to ${v.model}.`,
    (v) => `No answer from ${v.prev}; next cheapest is ${v.model}.`,
  ],
  noAnswer: [
    (v) => `${v.prev} gave no clear answer; escalate to ${v.model}.`,
    (v) => `Nothing usable from ${v.prev}; try ${v.model}.`,
  ],
  confirm: [
    (v) => `${v.prev} says ${v.answer}; confirm with the larger ${v.model}.`,
    (v) => `Check ${v.prev}'s answer ${v.answer} with ${v.model}.`,
  ],
  disagree: [
    (v) => `The replies disagree; ask ${v.model} to break the tie.`,
    (v) => `Answers differ; ${v.model} decides.`,
  ],
  agreed: [
    (v) => `Two models agree on ${v.answer}.`,
    (v) => `${v.answer} is confirmed.`,
  ],
  firstAnswer: [
    (v) => `${v.prev} states ${v.answer}; stop here to save cost.`,
    (v) => `${v.prev} answers ${v.answer}; good enough at this price.`,
  ],
  trusted: [
    (v) => `No agreement; trust ${v.prev}, the strongest that answered.`,
    (v) => `Replies differ; go with ${v.prev}.`,
  ],
  none: [(_v) => `No model could answer this.`, (_v) => `Nobody knew; answer unknown.`],
} satisfies Record<string, Phrase[]>;

/** The `terse` thoughts: no answer is repeated, one phrasing per situation. */
const TERSE_THOUGHTS = {
  first: [(v) => `Ask ${v.model} first.`],
  cannotHelp: [(v) => `${v.prev} cannot help; ask ${v.model}.`],
  noAnswer: [(v) => `${v.prev} gave no answer; ask ${v.model}.`],
  confirm: [(v) => `Confirm with ${v.model}.`],
  disagree: [(v) => `They disagree; ask ${v.model}.`],
  agreed: [(_v) => `Two replies agree.`],
  firstAnswer: [(v) => `${v.prev} answered; stop here.`],
  trusted: [(v) => `No agreement; trust ${v.prev}.`],
  none: [(_v) => `No model knew.`],
} satisfies Record<keyof typeof THOUGHTS, Phrase[]>;

/** A Policy that writes the teacher's turns (see the module comment). */
export function createTeacherPolicy(ctx: TeacherContext, opts: TeacherOptions = {}): Policy {
  const plan = ctx.plan ?? teacherPlan(ctx.pool);
  const trust = (name: string): number => plan.trust[name] ?? 0;
  const price = new Map(ctx.pool.map((m) => [m.name, m.outputPer1M]));
  const confirm = teacherConfirms(opts);
  const maxRoutes = opts.maxRoutes ?? DEFAULT_TEACHER_MAX_ROUTES;
  const query = teacherQuery(ctx.question);
  // Rule 7 of the format reward: a model whose name appears in the query cannot be routed to.
  const routable = plan.cheapFirst.filter((name) => price.has(name) && !query.toLowerCase().includes(pyStrip(name).toLowerCase()));
  const routed: string[] = [];
  const alpha = opts.alpha ?? 0;
  const say = (kind: keyof typeof THOUGHTS, v: Record<string, string>): string => {
    const list: Phrase[] = (opts.terse === true ? TERSE_THOUGHTS : THOUGHTS)[kind];
    const pick = opts.rng === undefined ? 0 : opts.rng.nextUint32() % list.length;
    return clean((list[pick] ?? list[0] as Phrase)(v));
  };
  const route = (why: string, model: string): string => {
    routed.push(model);
    return `<think>${why}</think>\n<search>${model}: ${query}</search>`;
  };
  const answer = (why: string, text: string | undefined): string => {
    const a = clean(text ?? '');
    return `<think>${why}</think>\n<answer>${a === '' ? 'unknown' : a}</answer>`;
  };

  return {
    describe: () => ({ kind: 'scripted', id: `teacher:alpha=${alpha}` }),
    async generate(req: GenerateRequest, { signal }) {
      signal?.throwIfAborted();
      const replies = repliesInContext(req.contextText);
      const stated: { model: string; answer: string; norm: string }[] = [];
      replies.forEach((reply, i) => {
        const a = extractDirectAnswer(reply);
        const model = routed[i];
        if (a !== undefined && model !== undefined && clean(a) !== '') stated.push({ model, answer: clean(a), norm: normalizeAnswer(a) });
      });
      const lastModel = routed[routed.length - 1] ?? '';
      const lastReply = replies[replies.length - 1];
      const canRoute = req.routingEnabled && routed.length < maxRoutes;
      const nextCheap = routable.find((m) => !routed.includes(m));

      // 1. an agreed answer ends the episode (confirm mode); the first stated one does in first-answer mode.
      const agreed = stated.find((s, i) => stated.some((t, j) => j !== i && t.norm === s.norm));
      if (agreed !== undefined) return { text: answer(say('agreed', { answer: agreed.answer }), agreed.answer) };
      const first = stated[0];
      if (!confirm && first !== undefined) return { text: answer(say('firstAnswer', { prev: first.model, answer: first.answer }), first.answer) };

      // 2. route: next cheapest while nothing is stated; a larger model to confirm or break a tie.
      if (canRoute) {
        if (first === undefined && nextCheap !== undefined) {
          if (routed.length === 0) return { text: route(say('first', { model: nextCheap }), nextCheap) };
          const kind = isCannotHelp(lastReply) ? 'cannotHelp' : 'noAnswer';
          return { text: route(say(kind, { prev: lastModel, model: nextCheap }), nextCheap) };
        }
        if (first !== undefined) {
          const confirmer = confirmerFor(first.model);
          if (confirmer !== undefined) {
            if (stated.length === 1) return { text: route(say('confirm', { prev: first.model, answer: first.answer, model: confirmer }), confirmer) };
            return { text: route(say('disagree', { model: confirmer }), confirmer) };
          }
        }
      }

      // 3. answer from the information: the most trusted model that stated an answer.
      if (stated.length === 0) return { text: answer(say('none', {}), undefined) };
      const best = [...stated].sort((a, b) => trust(b.model) - trust(a.model))[0] as (typeof stated)[number];
      if (stated.length === 1) return { text: answer(say('firstAnswer', { prev: best.model, answer: best.answer }), best.answer) };
      return { text: answer(say('trusted', { prev: best.model }), best.answer) };
    },
  };

  /** The model to confirm with: not yet asked, dearer than the one that answered (most trusted, then dearest first), else any. */
  function confirmerFor(answered: string): string | undefined {
    const left = routable.filter((m) => !routed.includes(m));
    const byTrust = (a: string, b: string): number => trust(b) - trust(a) || (price.get(b) ?? 0) - (price.get(a) ?? 0) || routable.indexOf(a) - routable.indexOf(b);
    const p = price.get(answered) ?? 0;
    const larger = left.filter((m) => (price.get(m) ?? 0) > p).sort(byTrust);
    return larger[0] ?? [...left].sort(byTrust)[0];
  }
}
