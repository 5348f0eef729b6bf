/**
 * The embedded policy's data: teacher trajectories on the offline pool's TRAINING questions,
 * the tokenizer corpus, and the supervised warm-up JSONL per α. Held-out questions (eval/heldOut.ts)
 * and the bank's test split never enter: `trainingBankQuestions` filters them and `runTeacherEpisodes`
 * refuses them.
 *
 *   tokenizer corpus = for each training question: its compact prompt in ChatML framing;
 *                      for each teacher trajectory: framing + prompt + response + <|im_end|>
 *   warm-up JSONL    = teacher trajectories of one α, one line each (cli/train/supervisedWarmup.ts reads it)
 *
 * Episodes run through the real environment (run/runEpisode.ts) with the offline caller, so rewards,
 * costs and token counts are the environment's. The token counts depend on the policy tokenizer: build
 * the corpus with the byte tokenizer (before any BPE exists), then the warm-up data with the trained one.
 * Deterministic: the seed picks the thoughts' phrasings and the line order; a clock is never read.
 * Must not decide whom the teacher trusts (teacher.ts does, for every host) nor run a live call.
 */
import { DEFAULT_ENV_SETTINGS, type EnvSettings, type PoolModelRecord, type QuestionRecord, type Trajectory } from '../env/trajectory';
import { trajectoriesToJsonl } from '../eval/exportResults';
import { createRng, type Rng } from '../math/rng';
import { shuffled as shuffleWith } from '../math/shuffle';
import { renderTinyChatml } from '../tokenizer/tinyTokenizer';
import { OFFLINE_DATASETS, type OfflineBank, type OfflineQuestion } from '../offline/offlineBank';
import { createOfflineCaller } from '../offline/offlineCaller';
import { offlinePoolModels } from '../offline/offlinePool';
import type { CandidateCaller, Tokenizer } from '../policy/ports';
import { DEFAULT_AGENT_TEMPLATE, renderCompactPromptForPool } from '../protocol/prompt';
import { createCostWindow } from '../reward/costReward';
import { runEpisodeToEnd } from '../run/runEpisode';
import { assertTrainingQuestions, bankTeacherPlan, createTeacherPolicy, trainingBankQuestions, type TeacherOptions, type TeacherPlan } from './teacher';

/** The two α datasets shipped by default (like the paper's released pair). */
export const DEFAULT_TEACHER_ALPHAS = [0, 0.8] as const;

export function toQuestionRecord(q: OfflineQuestion): QuestionRecord {
  return { id: q.id, dataset: OFFLINE_DATASETS[q.task], text: q.question, goldAnswers: [...q.goldAnswers] };
}

/** UTF-8 bytes as token ids: a stand-in policy tokenizer for counting before a BPE exists (never shorter than a BPE's). */
export function byteTokenizer(): Tokenizer {
  const enc = new TextEncoder();
  return {
    encode: (text) => [...enc.encode(text)],
    decode: (ids) => new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(new Uint8Array(ids)),
  };
}

export interface TeacherRunOptions extends Omit<TeacherOptions, 'rng'> {
  /** Seeds the thoughts' phrasings (default 0). */
  seed?: number;
  /** A second, third… pass over the same questions gets other phrasings (default 0). */
  variant?: number;
  tokenizer?: Tokenizer;
  plan?: TeacherPlan;
  agentTemplate?: string;
  settings?: EnvSettings;
  caller?: CandidateCaller;
}

/** Runs the teacher once per question through the environment with the offline pool; in question order. */
export async function runTeacherEpisodes(bank: OfflineBank, questions: readonly OfflineQuestion[], opts: TeacherRunOptions = {}): Promise<Trajectory[]> {
  assertTrainingQuestions(questions);
  const pool = offlinePoolModels(bank);
  const plan = opts.plan ?? bankTeacherPlan(bank);
  const tokenizer = opts.tokenizer ?? byteTokenizer();
  const caller = opts.caller ?? createOfflineCaller(bank);
  const alpha = opts.alpha ?? 0;
  const variant = opts.variant ?? 0;
  const root = createRng(opts.seed ?? 0).fork(`teacher.alpha=${alpha}.variant=${variant}`);
  const costWindow = createCostWindow();
  const out: Trajectory[] = [];
  for (const q of questions) {
    const question = toQuestionRecord(q);
    const teacherOpts: TeacherOptions = { alpha, rng: root.fork(q.id) };
    if (opts.confirmBelowAlpha !== undefined) teacherOpts.confirmBelowAlpha = opts.confirmBelowAlpha;
    if (opts.maxRoutes !== undefined) teacherOpts.maxRoutes = opts.maxRoutes;
    if (opts.terse !== undefined) teacherOpts.terse = opts.terse;
    const policy = createTeacherPolicy({ pool, question: q.question, plan }, teacherOpts);
    out.push(
      await runEpisodeToEnd(
        {
          id: `teacher.a${alpha}.v${variant}.${q.id}`,
          question,
          template: 'compact',
          prompt: renderCompactPromptForPool(pool, q.question),
          pool: pool.map((m) => ({ ...m })),
          agentTemplate: opts.agentTemplate ?? DEFAULT_AGENT_TEMPLATE,
          settings: { ...(opts.settings ?? DEFAULT_ENV_SETTINGS) },
          alpha,
        },
        { policy, caller, tokenizer, costWindow, now: () => 0 },
      ),
    );
  }
  return out;
}

/** The ChatML-framed text a policy is trained on: system, user prompt, assistant response. */
export function framedText(prompt: string, response?: string): string {
  return renderTinyChatml(prompt) + (response === undefined ? '' : `${response}<|im_end|>\n`);
}

export interface CorpusOptions {
  seed?: number;
  alphas?: readonly number[];
  /** Teacher passes per question and α, each with other phrasings (default 2). */
  variants?: number;
}

export interface TokenizerCorpus {
  texts: string[];
  prompts: number;
  trajectories: number;
}

/** The tokenizer corpus (module comment), shuffled with the seed. Training questions only. */
export async function buildTokenizerCorpus(bank: OfflineBank, opts: CorpusOptions = {}): Promise<TokenizerCorpus> {
  const training = trainingBankQuestions(bank);
  const pool = offlinePoolModels(bank);
  const plan = bankTeacherPlan(bank, training);
  const texts = training.map((q) => framedText(renderCompactPromptForPool(pool, q.question)));
  const prompts = texts.length;
  for (const alpha of opts.alphas ?? DEFAULT_TEACHER_ALPHAS) {
    for (let variant = 0; variant < (opts.variants ?? 2); variant++) {
      const runs = await runTeacherEpisodes(bank, training, { alpha, variant, plan, seed: opts.seed ?? 0 });
      for (const t of runs) texts.push(framedText(t.prompt, t.response));
    }
  }
  return { texts: shuffled(texts, createRng(opts.seed ?? 0).fork('corpus.order')), prompts, trajectories: texts.length - prompts };
}

/** The tokenizer corpus for given teachers (e.g. the embedded variants'): prompts, then each teacher's trajectories; shuffled. */
export async function buildTokenizerCorpusFor(bank: OfflineBank, teachers: readonly TeacherRunOptions[], seed = 0): Promise<TokenizerCorpus> {
  const training = trainingBankQuestions(bank);
  const pool = offlinePoolModels(bank);
  const texts = training.map((q) => framedText(renderCompactPromptForPool(pool, q.question)));
  const prompts = texts.length;
  for (const opts of teachers) {
    const runs = await runTeacherEpisodes(bank, training, { ...opts, tokenizer: byteTokenizer() });
    for (const t of runs) texts.push(framedText(t.prompt, t.response));
  }
  return { texts: shuffled(texts, createRng(seed).fork('corpus.order')), prompts, trajectories: texts.length - prompts };
}

export interface WarmupDataset {
  alpha: number;
  trajectories: Trajectory[];
  /** One Trajectory JSON per line, shuffled with the seed. */
  jsonl: string;
}

/** The warm-up data per α: teacher trajectories on the training questions, counted with `tokenizer`. */
export async function buildWarmupDatasets(bank: OfflineBank, opts: CorpusOptions & { tokenizer?: Tokenizer } = {}): Promise<WarmupDataset[]> {
  const training = trainingBankQuestions(bank);
  const plan = bankTeacherPlan(bank, training);
  const out: WarmupDataset[] = [];
  for (const alpha of opts.alphas ?? DEFAULT_TEACHER_ALPHAS) {
    const all: Trajectory[] = [];
    for (let variant = 0; variant < (opts.variants ?? 2); variant++) {
      all.push(...(await runTeacherEpisodes(bank, training, { alpha, variant, plan, seed: opts.seed ?? 0, ...(opts.tokenizer === undefined ? {} : { tokenizer: opts.tokenizer }) })));
    }
    const trajectories = shuffled(all, createRng(opts.seed ?? 0).fork(`warmup.order.alpha=${alpha}`));
    out.push({ alpha, trajectories, jsonl: trajectoriesToJsonl(trajectories) });
  }
  return out;
}

/** A Fisher–Yates shuffle (a copy) with the modulo draw this module's seeded orders were made with (core/math/shuffle.ts). */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  return shuffleWith(items, rng, 'modulo');
}
