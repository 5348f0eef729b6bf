/**
 * The Router-R1 episode loop (DESIGN.md §2.2) as a reducer with effects as data (STYLE principle 4):
 * `stepRoutingEnv(ctx, state, action)` returns the next state and the effects the runner must perform
 * (generate, call a candidate, finish). No I/O, no clock, no randomness here: run/runEpisode.ts
 * performs the effects, so every rule is tested without a policy or a network.
 *
 * The state is the Trajectory being built plus the token ids of the prompt and response, so the
 * record is complete at every step (an abort loses nothing) and the finished state yields it.
 */
import { assertNever } from '../math/assertNever';
import { cutTurn, INVALID_ACTION_NOTICE, parseAction, wrapObservation, type PolicyAction } from '../protocol/actions';
import { resolveInPool } from '../protocol/modelNames';
import { renderAgentPrompt, type TemplateId } from '../protocol/prompt';
import type { CallParams, GenerateRequest, Tokenizer } from '../policy/ports';
import {
  candidateParams,
  capObservation,
  failedCall,
  keptTokenCount,
  pendingCall,
  repliedCall,
  unknownModelCall,
} from './envRecords';
import { computeMetrics } from './metrics';
import { checkEnvInit } from './envInit';
import {
  TRAJECTORY_VERSION,
  type CallError,
  type EnvSettings,
  type PolicyRecord,
  type PoolModelRecord,
  type QuestionRecord,
  type RoundRecord,
  type TokenUsage,
  type Trajectory,
} from './trajectory';

/** The policy may stop after either closing tag; the environment cuts the text anyway. */
export const TURN_STOP_STRINGS = ['</search>', '</answer>'] as const;

export interface RoutingEnvInit {
  id: string;
  question: QuestionRecord;
  template: TemplateId;
  /** The rendered user message (template with the normalised question). */
  prompt: string;
  pool: readonly PoolModelRecord[];
  /** The candidate prompt template; must contain {query}. */
  agentTemplate: string;
  settings: EnvSettings;
  policy: PolicyRecord;
  tokenizer: Tokenizer;
}

/** What stays fixed during an episode and is not plain data (the tokenizer). */
export interface RoutingEnvContext {
  readonly tokenizer: Tokenizer;
  readonly agentTemplate: string;
}

export interface RoutingEnvState {
  /** generating: waiting for policy.generated; calling: for the candidate's reply; done: finished. */
  phase: 'generating' | 'calling' | 'done';
  trajectory: Trajectory;
  /** The prompt's token ids after left truncation to maxPromptTokens, and their text (what the policy sees). */
  promptIds: readonly number[];
  promptText: string;
  /** The response's token ids: each kept turn text encoded, each observation's kept ids. */
  responseIds: readonly number[];
}

export type EnvAction =
  | { type: 'policy.generated'; rawText: string; tokenIds?: number[]; logProbs?: number[]; generationMs: number }
  | { type: 'candidate.replied'; reply: string; usage: TokenUsage; latencyMs: number; cached: boolean }
  | { type: 'candidate.failed'; error: CallError; latencyMs: number }
  /** The runner stopped the episode (abort signal, policy exception): finish with what is recorded. */
  | { type: 'episode.interrupted'; status: 'aborted' | 'failed'; message: string };

export type EnvEffect =
  | { type: 'generate'; request: GenerateRequest }
  | { type: 'callCandidate'; roundIndex: number; poolIndex: number; model: PoolModelRecord; prompt: string; query: string; params: CallParams }
  | { type: 'finish'; status: Trajectory['status'] };

export interface EnvStep {
  state: RoutingEnvState;
  effects: EnvEffect[];
}

export class EnvPhaseError extends Error {
  override name = 'EnvPhaseError';
}

/** The initial state and its first effect (generate round 0). Throws EnvInitError on bad settings. */
export function createRoutingEnv(init: RoutingEnvInit): EnvStep & { ctx: RoutingEnvContext } {
  checkEnvInit(init);
  const allPromptIds = init.tokenizer.encode(init.prompt);
  const promptIds = allPromptIds.slice(-init.settings.maxPromptTokens);
  // Left truncation keeps the end of the prompt (the question) and drops the start of the instructions.
  const promptText = promptIds.length === allPromptIds.length ? init.prompt : init.tokenizer.decode(promptIds);
  const trajectory: Trajectory = {
    version: TRAJECTORY_VERSION,
    id: init.id,
    question: { ...init.question, goldAnswers: [...init.question.goldAnswers] },
    template: init.template,
    prompt: init.prompt,
    promptTokens: promptIds.length,
    policy: init.policy,
    pool: init.pool.map((m) => ({ ...m })),
    agentTemplate: init.agentTemplate,
    settings: { ...init.settings },
    rounds: [],
    response: '',
    reward: null,
    metrics: null,
    // An unfinished record is an interrupted one; finish() sets the real status.
    status: 'aborted',
  };
  const ctx: RoutingEnvContext = { tokenizer: init.tokenizer, agentTemplate: init.agentTemplate };
  return { ctx, ...nextTurn({ phase: 'generating', trajectory, promptIds, promptText, responseIds: [] }) };
}

export function stepRoutingEnv(ctx: RoutingEnvContext, state: RoutingEnvState, action: EnvAction): EnvStep {
  switch (action.type) {
    case 'policy.generated':
      expectPhase(state, 'generating', action.type);
      return onGenerated(ctx, state, action);
    case 'candidate.replied': {
      expectPhase(state, 'calling', action.type);
      const round = lastRound(state);
      const model = state.trajectory.pool[round.call?.poolIndex ?? -1];
      if (round.call === null || model === undefined) throw new EnvPhaseError('The pending round has no call to a pool model; this is a bug in the environment.');
      return observe(ctx, withLastRound(state, { ...round, call: repliedCall(round.call, model, action) }), wrapObservation(action.reply));
    }
    case 'candidate.failed': {
      expectPhase(state, 'calling', action.type);
      const round = lastRound(state);
      if (round.call === null) throw new EnvPhaseError('The pending round has no call; this is a bug in the environment.');
      return observe(ctx, withLastRound(state, { ...round, call: failedCall(round.call, action.error, action.latencyMs) }), wrapObservation(undefined));
    }
    case 'episode.interrupted':
      return interrupt(state, action.status, action.message);
    default:
      return assertNever(action, 'environment action');
  }
}

/** 1. cut the turn, 2. parse its action, 3. append the kept text, 4. act on it. */
function onGenerated(ctx: RoutingEnvContext, state: RoutingEnvState, a: Extract<EnvAction, { type: 'policy.generated' }>): EnvStep {
  const t = state.trajectory;
  const index = t.rounds.length;
  const routingEnabled = index < t.settings.maxTurns;
  const text = cutTurn(a.rawText);
  const action = parseAction(text);
  const round: RoundRecord = {
    index,
    routingEnabled,
    rawText: a.rawText,
    text,
    ...keptTokens(ctx.tokenizer, a, text),
    generationMs: a.generationMs,
    action,
    call: null,
    observation: null,
    contextTokens: 0,
  };
  // Like the reference, the context gets the re-encoded cut text, not the policy's own ids.
  const s = appendToResponse(state, text, ctx.tokenizer.encode(text));
  return actOn(ctx, s, round, action);
}

function actOn(ctx: RoutingEnvContext, s: RoutingEnvState, round: RoundRecord, action: PolicyAction): EnvStep {
  switch (action.type) {
    case 'answer':
      return finish(withNewRound(s, round), 'answered');
    case 'route':
      // On the final turn a <search> gets no call and no observation.
      return round.routingEnabled ? route(ctx, s, round, action) : nextTurn(withNewRound(s, round));
    case 'invalid':
      // Reference: no feedback. Option: Search-R1's notice (never on the final turn: nothing follows it).
      if (round.routingEnabled && s.trajectory.settings.invalidActionNotice) return observe(ctx, withNewRound(s, round), INVALID_ACTION_NOTICE);
      return nextTurn(withNewRound(s, round));
    default:
      return assertNever(action, 'policy action');
  }
}

/** Resolve the name in the pool; unknown → None without a call, known → a callCandidate effect. */
function route(ctx: RoutingEnvContext, s: RoutingEnvState, round: RoundRecord, action: Extract<PolicyAction, { type: 'route' }>): EnvStep {
  const pool = s.trajectory.pool;
  const poolIndex = resolveInPool(action.modelName, pool);
  const model = poolIndex === undefined ? undefined : pool[poolIndex];
  if (poolIndex === undefined || model === undefined) {
    return observe(ctx, withNewRound(s, { ...round, call: unknownModelCall(action, pool) }), wrapObservation(undefined));
  }
  const prompt = renderAgentPrompt(ctx.agentTemplate, action.query);
  const params = candidateParams(model);
  const next = withNewRound(s, { ...round, call: pendingCall(action, poolIndex, prompt, params) });
  return {
    state: { ...next, phase: 'calling' },
    effects: [{ type: 'callCandidate', roundIndex: round.index, poolIndex, model: { ...model }, prompt, query: action.query, params }],
  };
}

/** Append a capped observation to the last round and the response, then go on. */
function observe(ctx: RoutingEnvContext, s: RoutingEnvState, observation: string): EnvStep {
  const capped = capObservation(ctx.tokenizer, observation, s.trajectory.settings.maxObservationTokens);
  const appended = appendToResponse(s, capped.record.text, capped.ids);
  const round = lastRound(appended);
  return nextTurn(withLastRound(appended, { ...round, observation: capped.record }));
}

/** The next generation, or the end: after maxTurns + 1 generations, or when the prompt no longer fits. */
function nextTurn(s: RoutingEnvState): EnvStep {
  const { settings, rounds, response } = s.trajectory;
  const roundIndex = rounds.length;
  if (roundIndex > settings.maxTurns) return finish(s, 'out-of-turns');
  // The rolling window keeps the last maxContextTokens ids; once the response alone fills it, no
  // prompt token is left and the policy cannot see the question any more.
  if (s.responseIds.length >= settings.maxContextTokens) return finish(s, 'context-full');
  const request: GenerateRequest = {
    promptText: s.promptText,
    contextText: response,
    contextTokenIds: [...s.promptIds, ...s.responseIds].slice(-settings.maxContextTokens),
    roundIndex,
    routingEnabled: roundIndex < settings.maxTurns,
    maxNewTokens: settings.maxNewTokens,
    stop: TURN_STOP_STRINGS,
  };
  return { state: { ...s, phase: 'generating' }, effects: [{ type: 'generate', request }] };
}

function finish(s: RoutingEnvState, status: Trajectory['status'], error?: string): EnvStep {
  const t = s.trajectory;
  const trajectory: Trajectory = { ...t, status, metrics: computeMetrics(t), ...(error === undefined ? {} : { error }) };
  return { state: { ...s, phase: 'done', trajectory }, effects: [{ type: 'finish', status }] };
}

/** Stop where we are; a call in flight is recorded as aborted (no reply, no observation, cost 0). */
function interrupt(s: RoutingEnvState, status: 'aborted' | 'failed', message: string): EnvStep {
  if (s.phase === 'done') return { state: s, effects: [] };
  if (s.phase === 'calling') {
    const round = lastRound(s);
    if (round.call !== null) {
      const error: CallError = { kind: 'aborted', message: `The episode stopped before the reply arrived: ${message}` };
      s = withLastRound(s, { ...round, call: failedCall(round.call, error, round.call.latencyMs) });
    }
  }
  return finish(s, status, message);
}

function keptTokens(tokenizer: Tokenizer, a: { rawText: string; tokenIds?: number[]; logProbs?: number[] }, text: string): Pick<RoundRecord, 'tokenIds' | 'logProbs'> {
  if (a.tokenIds === undefined) return {};
  const n = keptTokenCount(tokenizer, a.tokenIds, a.rawText, text);
  return { tokenIds: a.tokenIds.slice(0, n), ...(a.logProbs === undefined ? {} : { logProbs: a.logProbs.slice(0, n) }) };
}

function appendToResponse(s: RoutingEnvState, text: string, ids: readonly number[]): RoutingEnvState {
  return { ...s, trajectory: { ...s.trajectory, response: s.trajectory.response + text }, responseIds: [...s.responseIds, ...ids] };
}

function withNewRound(s: RoutingEnvState, round: RoundRecord): RoutingEnvState {
  const rounds = [...s.trajectory.rounds, { ...round, contextTokens: s.promptIds.length + s.responseIds.length }];
  return { ...s, trajectory: { ...s.trajectory, rounds } };
}

function withLastRound(s: RoutingEnvState, round: RoundRecord): RoutingEnvState {
  const rounds = [...s.trajectory.rounds.slice(0, -1), { ...round, contextTokens: s.promptIds.length + s.responseIds.length }];
  return { ...s, trajectory: { ...s.trajectory, rounds } };
}

function lastRound(s: RoutingEnvState): RoundRecord {
  const round = s.trajectory.rounds[s.trajectory.rounds.length - 1];
  if (round === undefined) throw new EnvPhaseError('No round has been generated yet; dispatch policy.generated first.');
  return round;
}

function expectPhase(s: RoutingEnvState, phase: RoutingEnvState['phase'], action: EnvAction['type']): void {
  if (s.phase !== phase) {
    throw new EnvPhaseError(`"${action}" arrived while the environment is ${s.phase}; it expects it only while ${phase}. Perform the effects in order.`);
  }
}
