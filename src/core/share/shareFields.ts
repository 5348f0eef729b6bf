/**
 * The field tables of share links and bundles (STYLE.md principle 7): one entry per property, with its
 * short link key, range, default, and (for what a trajectory repeats) how to recompute it exactly.
 * `TableOf<T>` makes a new property of a shared type a compile error until it has its entry here.
 *
 * Link compatibility: links of version 1 decode through these tables. Changing a key, range or
 * derivation changes what old links mean: freeze a copy as the v1 tables and add a migration instead
 * (see shareLink.ts, DECODERS).
 */
import { cutTurn, INVALID_ACTION_NOTICE, parseAction, wrapObservation, type InvalidReason } from '../protocol/actions';
import { renderAgentPrompt, renderCompactPromptForPool, type TemplateId } from '../protocol/prompt';
import { candidateParams, costUnitsOf, costUsdOf } from '../env/envRecords';
import { computeMetrics } from '../env/metrics';
import {
  DEFAULT_ENV_SETTINGS,
  TRAJECTORY_VERSION,
  type CallError,
  type CallErrorKind,
  type CallRecord,
  type EnvSettings,
  type EpisodeMetrics,
  type ObservationRecord,
  type PolicyRecord,
  type PoolModelRecord,
  type QuestionRecord,
  type RoundRecord,
  type TokenUsage,
  type Trajectory,
} from '../env/trajectory';
import type { RewardBreakdown } from '../reward/total';
import { bool, float, int, list, oneOf, record, text, union, type Parents, type Table, type TableOf } from './schema';
import { formattedLength } from './textBudget';
import {
  DEFAULT_LIMITS,
  DEFAULT_SAMPLING,
  DEFAULT_SHARE_CONFIG,
  type EvaluationRow,
  type EvaluationSummary,
  type RunLimits,
  type SamplingConfig,
  type ShareConfig,
  type SharePolicy,
  type SharePolicyKind,
  type ShareState,
} from './shareState';

// Bounds: generous for real runs, small enough that a hostile input cannot make the app do much work.
const ID_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-:/@';
const NAME = 300; // model names, ids
const TEXT = 200_000; // one generation, reply or prompt
const BIG = 1e9; // token counts, ms (11 days), dollars
const PRICE = 1e6; // USD per 1M tokens
const MAX_POOL = 64;
const MAX_ROUNDS = 65; // maxTurns (≤ 64) routing turns + the final one
const MAX_TOKENS_PER_ROUND = 65_536;
/**
 * The most text one round of a link may hold, written and recomputed together (generation, cut text,
 * action, call query, prompt and reply, observation: a real round repeats its generation ~3 times and
 * its reply twice). 1,024 new tokens at even 16 characters each and a 512-token reply fit several times
 * over; a round of a link beyond this is refused, and the app offers a bundle file for such states.
 * Bundles (file mode) are not budgeted: nothing in them is recomputed.
 */
export const MAX_LINK_ROUND_CHARS = 100_000;
const SEED_MAX = 2 ** 32 - 1;

const CALL_ERROR_KINDS = ['unknown-model', 'auth', 'not-found', 'rate-limit', 'server', 'timeout', 'network', 'cors', 'malformed', 'budget', 'aborted', 'empty'] as const satisfies readonly CallErrorKind[];
const INVALID_REASONS = ['no-action', 'placeholder', 'no-colon', 'empty-query'] as const satisfies readonly InvalidReason[];
const TEMPLATES = ['compact', 'qwen', 'llama'] as const satisfies readonly TemplateId[];
const POLICY_KINDS = ['human', 'onnx', 'scripted', 'replay'] as const satisfies readonly SharePolicyKind[] & readonly PolicyRecord['kind'][];
const STATUSES = ['answered', 'out-of-turns', 'context-full', 'aborted', 'failed'] as const satisfies readonly Trajectory['status'][];
// Compile-time exhaustiveness of the lists above.
type Missing<U, L extends readonly unknown[]> = Exclude<U, L[number]>;
const exhaustive: [Missing<CallErrorKind, typeof CALL_ERROR_KINDS>, Missing<InvalidReason, typeof INVALID_REASONS>, Missing<TemplateId, typeof TEMPLATES>, Missing<Trajectory['status'], typeof STATUSES>] extends [never, never, never, never] ? true : false = true;
void exhaustive;

// ── derivations: what a trajectory repeats, recomputed from earlier fields ─────────────────────────
type Rec = Record<string, unknown>;
const at = (parents: Parents, fromEnd: number): Rec => parents[parents.length - fromEnd] ?? {};
/** The enclosing trajectory: `fromEnd` records up (1 from a round's fields, 2 from a call's). */
const trajectoryOf = (parents: Parents, fromEnd: number): Trajectory => at(parents, fromEnd) as unknown as Trajectory;
/** The share state's config, for a trajectory inside a link. */
const configOf = (parents: Parents): ShareConfig => {
  const config = at(parents, 1)['config'];
  if (config === undefined) throw new Error('no configuration to take it from');
  return config as ShareConfig;
};
const routeOf = (parents: Parents): { modelName: string; query: string } => {
  const action = (at(parents, 1) as unknown as RoundRecord).action;
  if (action.type !== 'route') throw new Error('the round has no route');
  return action;
};
const calledModel = (call: Rec, parents: Parents): PoolModelRecord => {
  const model = trajectoryOf(parents, 2).pool[call['poolIndex'] as number];
  if (model === undefined) throw new Error('the call has no pool model');
  return model;
};

// ── tables ───────────────────────────────────────────────────────────────────────────────────────
const POOL_MODEL = {
  name: text('n', NAME),
  provider: text('p', 64, { chars: ID_CHARS }),
  providerModelId: text('i', NAME),
  inputPer1M: float('in', 0, PRICE),
  outputPer1M: float('out', 0, PRICE),
  referenceId: text('r', NAME, { optional: true }),
  simulated: bool('s', { optional: true }),
} as const satisfies TableOf<PoolModelRecord>;

const QUESTION = {
  id: text('i', NAME, { optional: true }),
  dataset: text('d', NAME, { optional: true }),
  text: text('t', 20_000),
  goldAnswers: list('g', text('', 2_000), 200),
} as const satisfies TableOf<QuestionRecord>;

const SETTINGS = {
  maxTurns: int('t', 0, 64, { default: DEFAULT_ENV_SETTINGS.maxTurns }),
  maxObservationTokens: int('o', 1, 1e6, { default: DEFAULT_ENV_SETTINGS.maxObservationTokens }),
  maxPromptTokens: int('p', 1, 1e6, { default: DEFAULT_ENV_SETTINGS.maxPromptTokens }),
  maxContextTokens: int('c', 1, 1e6, { default: DEFAULT_ENV_SETTINGS.maxContextTokens }),
  maxNewTokens: int('n', 1, 1e6, { default: DEFAULT_ENV_SETTINGS.maxNewTokens }),
  invalidActionNotice: bool('v', { default: DEFAULT_ENV_SETTINGS.invalidActionNotice }),
} as const satisfies TableOf<EnvSettings>;

const SAMPLING = {
  temperature: float('t', 0, 2, { default: DEFAULT_SAMPLING.temperature }),
  topP: float('p', 0, 1, { default: DEFAULT_SAMPLING.topP }),
  topK: int('k', 0, 1e6, { default: DEFAULT_SAMPLING.topK }),
  seed: int('s', 0, SEED_MAX, { default: DEFAULT_SAMPLING.seed }),
} as const satisfies TableOf<SamplingConfig>;

const LIMITS = {
  maxCalls: int('c', 0, 1_000, { nullable: true, default: DEFAULT_LIMITS.maxCalls }),
  maxSpendUsd: float('u', 0, 1e6, { nullable: true, default: DEFAULT_LIMITS.maxSpendUsd }),
} as const satisfies TableOf<RunLimits>;

const POLICY = {
  kind: oneOf('k', POLICY_KINDS),
  id: text('i', NAME, { chars: ID_CHARS }),
} as const satisfies TableOf<SharePolicy>;

export const CONFIG_FIELDS = {
  policy: record('p', POLICY, { default: { kind: 'human', id: 'you' } }),
  pool: list('m', record('', POOL_MODEL), MAX_POOL, { default: [] }),
  alpha: float('a', 0, 1, { default: 0 }),
  metric: oneOf('e', ['em', 'f1'], { default: 'em' }),
  sampling: record('s', SAMPLING, { default: DEFAULT_SAMPLING }),
  limits: record('l', LIMITS, { default: DEFAULT_LIMITS }),
  settings: record('x', SETTINGS, { default: DEFAULT_ENV_SETTINGS }),
  dataRoot: text('d', 2_000, { nullable: true, default: null }),
  question: record('q', QUESTION, { nullable: true, default: null }),
} as const satisfies TableOf<ShareConfig>;

const USAGE = { promptTokens: int('p', 0, BIG), completionTokens: int('c', 0, BIG) } as const satisfies TableOf<TokenUsage>;
const CALL_ERROR = { kind: oneOf('k', CALL_ERROR_KINDS), message: text('m', 20_000) } as const satisfies TableOf<CallError>;
const CALL_PARAMS = { temperature: float('t', 0, 2), topP: float('p', 0, 1), seed: int('s', 0, SEED_MAX), maxTokens: int('m', 1, 1e6) } as const satisfies TableOf<NonNullable<CallRecord['params']>>;

const CALL = {
  modelName: text('n', NAME, { derive: (_c, p) => routeOf(p).modelName }),
  query: text('q', TEXT, { derive: (_c, p) => routeOf(p).query }),
  poolIndex: int('i', 0, MAX_POOL - 1, {
    nullable: true,
    check: (v, p) => ((v as number) < trajectoryOf(p, 2).pool.length ? null : 'points past the end of the pool'),
  }),
  prompt: text('p', TEXT, {
    nullable: true,
    // One `{query}` field per occurrence: 2,500 of them and a 199,000-character query would render 497M characters.
    deriveLength: (c, p) => (c['poolIndex'] === null ? 0 : formattedLength(trajectoryOf(p, 2).agentTemplate ?? '', () => (c['query'] as string).length)),
    derive: (c, p) => {
      const template = trajectoryOf(p, 2).agentTemplate;
      if (c['poolIndex'] === null) return null;
      if (template === undefined) throw new Error('no agent template');
      return renderAgentPrompt(template, c['query'] as string);
    },
  }),
  params: record('r', CALL_PARAMS, { nullable: true, derive: (c, p) => (c['prompt'] === null ? null : candidateParams(calledModel(c, p))) }),
  reply: text('y', TEXT, { nullable: true, default: null }),
  usage: record('u', USAGE, { nullable: true, default: null }),
  latencyMs: float('l', 0, BIG, { default: 0 }),
  costUnits: float('c', 0, BIG, { derive: (c, p) => (c['usage'] === null ? 0 : costUnitsOf(c['usage'] as TokenUsage, calledModel(c, p))) }),
  costUsd: float('d', 0, BIG, { derive: (c, p) => (c['usage'] === null ? 0 : costUsdOf(c['usage'] as TokenUsage, calledModel(c, p))) }),
  cached: bool('h', { default: false }),
  error: record('e', CALL_ERROR, { nullable: true, default: null }),
} as const satisfies TableOf<CallRecord>;

const OBSERVATION = {
  tokenCount: int('n', 0, 1e6),
  truncated: bool('x', { default: false }),
  // An uncut observation is the reply wrapped (None without one), or the invalid-action notice.
  text: text('t', TEXT, {
    derive: (o, p) => {
      if (o['truncated'] === true) return undefined;
      const call = (at(p, 1) as unknown as RoundRecord).call;
      return call === null ? INVALID_ACTION_NOTICE : wrapObservation(call.reply ?? undefined);
    },
  }),
} as const satisfies TableOf<ObservationRecord>;

const ACTION = union('a', 'type', 'k', {
  answer: { answer: text('a', TEXT) },
  route: { modelName: text('m', TEXT), query: text('q', TEXT), content: text('c', TEXT) },
  invalid: { reason: oneOf('r', INVALID_REASONS), content: text('c', TEXT) },
}, { derive: (r) => parseAction(r['text'] as string) });

const ROUND = {
  index: int('i', 0, MAX_ROUNDS - 1),
  routingEnabled: bool('e', { default: true }),
  rawText: text('w', TEXT),
  text: text('t', TEXT, { derive: (r) => cutTurn(r['rawText'] as string) }),
  tokenIds: list('k', int('', 0, 2 ** 31 - 1), MAX_TOKENS_PER_ROUND, { optional: true }),
  logProbs: list('lp', float('', -1e6, 0), MAX_TOKENS_PER_ROUND, { optional: true }),
  generationMs: float('g', 0, BIG, { default: 0 }),
  action: ACTION,
  call: record('c', CALL, { nullable: true, default: null }),
  observation: record('o', OBSERVATION, { nullable: true, default: null }),
  contextTokens: int('x', 0, 1e7),
} as const satisfies TableOf<RoundRecord>;

const REWARD = {
  format: oneOf('f', [0, -1]),
  answer: text('a', TEXT, { nullable: true }),
  em: oneOf('e', [0, 1]),
  f1: float('f1', 0, 1),
  outcome: float('o', 0, 1),
  costReward: float('c', 0, 1),
  alpha: float('al', 0, 1),
  metric: oneOf('m', ['em', 'f1'], { default: 'em' }),
  total: float('t', -1, 1),
} as const satisfies TableOf<RewardBreakdown>;

const METRICS = {
  em: oneOf('e', [0, 1]),
  f1: float('f1', 0, 1),
  format: oneOf('f', [0, -1]),
  costUnits: float('c', 0, BIG),
  costUsd: float('d', 0, BIG),
  routes: int('r', 0, 1_000),
  calls: int('n', 0, 1_000),
  turns: int('t', 0, 1_000),
} as const satisfies TableOf<EpisodeMetrics>;

const PolicySampling = {
  temperature: float('t', 0, 2),
  topP: float('p', 0, 1),
  topK: int('k', 0, 1e6, { optional: true }),
  seed: int('s', 0, SEED_MAX),
} as const satisfies TableOf<NonNullable<PolicyRecord['sampling']>>;

const POLICY_RECORD = {
  kind: oneOf('k', POLICY_KINDS),
  id: text('i', NAME),
  sampling: record('s', PolicySampling, { optional: true }),
} as const satisfies TableOf<PolicyRecord>;

/** In a link, what a trajectory shares with the link's config is left out when equal. */
export const TRAJECTORY_FIELDS = {
  version: oneOf('v', [TRAJECTORY_VERSION], { default: TRAJECTORY_VERSION }),
  id: text('id', NAME),
  question: record('q', QUESTION, { derive: (_t, p) => configOf(p).question ?? undefined }),
  pool: list('m', record('', POOL_MODEL), MAX_POOL, { derive: (_t, p) => configOf(p).pool }),
  settings: record('x', SETTINGS, { derive: (_t, p) => configOf(p).settings }),
  policy: record('p', POLICY_RECORD, { derive: (_t, p) => ({ ...configOf(p).policy }) }),
  template: oneOf('tp', TEMPLATES, { default: 'compact' }),
  agentTemplate: text('at', TEXT, { optional: true }),
  prompt: text('pr', TEXT, {
    derive: (t) => {
      if (t['template'] !== 'compact') return undefined;
      const pool = t['pool'] as PoolModelRecord[];
      return renderCompactPromptForPool(pool, (t['question'] as QuestionRecord).text);
    },
  }),
  promptTokens: int('pt', 0, 1e7),
  rounds: list('r', record('', ROUND, { maxText: MAX_LINK_ROUND_CHARS }), MAX_ROUNDS),
  response: text('rs', MAX_ROUNDS * 2 * TEXT, {
    deriveLength: (t) => (t['rounds'] as RoundRecord[]).reduce((n, r) => n + r.text.length + (r.observation?.text.length ?? 0), 0),
    derive: (t) => (t['rounds'] as RoundRecord[]).map((r) => r.text + (r.observation?.text ?? '')).join(''),
  }),
  reward: record('w', REWARD, { nullable: true, default: null }),
  metrics: record('mt', METRICS, { nullable: true, derive: (t) => computeMetrics(t as unknown as Trajectory) }),
  status: oneOf('s', STATUSES, { default: 'answered' }),
  error: text('er', 20_000, { optional: true }),
} as const satisfies TableOf<Trajectory>;

const EVALUATION_ROW = {
  method: text('m', NAME),
  em: float('e', 0, 1),
  f1: float('f', 0, 1),
  costUsd: float('d', 0, BIG),
  costUnits: float('c', 0, BIG),
  calls: float('n', 0, 1_000),
} as const satisfies TableOf<EvaluationRow>;

export const EVALUATION_FIELDS = {
  title: text('t', NAME, { default: '' }),
  dataset: text('d', NAME),
  questions: int('n', 0, 1e7),
  alpha: float('a', 0, 1, { default: 0 }),
  seed: int('s', 0, SEED_MAX, { default: DEFAULT_SAMPLING.seed }),
  rows: list('r', record('', EVALUATION_ROW), 200),
} as const satisfies TableOf<EvaluationSummary>;

/** The whole share state: FIELDS drives the link codec (shareLink.ts) and, in file mode, bundles. */
export const FIELDS = {
  config: record('c', CONFIG_FIELDS, { default: DEFAULT_SHARE_CONFIG }),
  trajectory: record('t', TRAJECTORY_FIELDS, { optional: true }),
  evaluation: record('e', EVALUATION_FIELDS, { optional: true }),
} as const satisfies TableOf<ShareState>;

export { POOL_MODEL as POOL_MODEL_FIELDS };
export type { Table };
