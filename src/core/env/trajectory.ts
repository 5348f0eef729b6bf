/**
 * Trajectories: plain, JSON-serialisable records of one episode, complete enough to replay it exactly
 * (every prompt, generated text, call, reply, usage, latency, error and reward part). No class
 * instances, no functions, no keys: they cross postMessage, go into files and share links unchanged.
 */
import type { PolicyAction } from '../protocol/actions';
import type { TemplateId } from '../protocol/prompt';
import type { RewardBreakdown } from '../reward/total';

export const TRAJECTORY_VERSION = 1;

/** Settings of the environment loop; defaults are the reference's (DESIGN.md §2.2). */
export interface EnvSettings {
  /** Routing turns before the final no-route turn (reference: 4). */
  maxTurns: number;
  /** Observation cap in policy tokens (reference: 600; the cap can cut the closing tag). */
  maxObservationTokens: number;
  /** Prompt cap in policy tokens, left-truncated (reference: 2048). */
  maxPromptTokens: number;
  /** Rolling context cap in policy tokens, left-truncated (reference: 4096). */
  maxContextTokens: number;
  /** Max new tokens per generation (reference: 1024). */
  maxNewTokens: number;
  /** Search-R1-style invalid-action notice; off by default (the reference gives no feedback). */
  invalidActionNotice: boolean;
}

export const DEFAULT_ENV_SETTINGS: EnvSettings = {
  maxTurns: 4,
  maxObservationTokens: 600,
  maxPromptTokens: 2048,
  maxContextTokens: 4096,
  maxNewTokens: 1024,
  invalidActionNotice: false,
};

/** A pool model as recorded in a trajectory (never a key). */
export interface PoolModelRecord {
  /** What the policy writes (e.g. "LLaMA-3.1-70B-Instruct"). */
  name: string;
  /** Provider id and the provider's model id (e.g. "offline", "openrouter"). */
  provider: string;
  providerModelId: string;
  /** USD per 1M tokens. The reference cost unit is completion tokens × outputPer1M. */
  inputPer1M: number;
  outputPer1M: number;
  /** The reference id when the model is one of the paper's (e.g. "meta/llama-3.1-70b-instruct"). */
  referenceId?: string;
  simulated?: boolean;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

export type CallErrorKind =
  | 'unknown-model'
  | 'auth'
  | 'not-found'
  | 'rate-limit'
  | 'server'
  | 'timeout'
  | 'network'
  | 'cors'
  | 'malformed'
  | 'budget'
  | 'aborted'
  | 'empty';

export interface CallError {
  kind: CallErrorKind;
  message: string;
}

/** One candidate call (or an attempted one: unknown model and failures are recorded too). */
export interface CallRecord {
  /** The name as the policy wrote it, and the query as sent (between the first and second colon). */
  modelName: string;
  query: string;
  /** Index into Trajectory.pool, or null when the name did not resolve. */
  poolIndex: number | null;
  /** The exact candidate prompt sent (the agent template with {query}); null when no call was made. */
  prompt: string | null;
  params: { temperature: number; topP: number; seed: number; maxTokens: number } | null;
  reply: string | null;
  usage: TokenUsage | null;
  latencyMs: number;
  /** Reference cost units: completion tokens × output price per 1M (no division by 1e6). */
  costUnits: number;
  /** Real dollars, prompt tokens included. */
  costUsd: number;
  cached: boolean;
  error: CallError | null;
}

export interface ObservationRecord {
  /** The text appended to the context (after the token cap). */
  text: string;
  tokenCount: number;
  /** True when the 600-token cap cut it. */
  truncated: boolean;
}

/** One generation of the policy and what the environment did with it. */
export interface RoundRecord {
  index: number;
  /** False for the final turn after maxTurns (a <search> there gets no call). */
  routingEnabled: boolean;
  /** The policy's raw text, and the text kept after cutting at the first </search> / </answer>. */
  rawText: string;
  text: string;
  /** Token ids of the kept text and their log-probs, when the policy reports them. */
  tokenIds?: number[];
  logProbs?: number[];
  generationMs: number;
  action: PolicyAction;
  call: CallRecord | null;
  observation: ObservationRecord | null;
  /** Policy tokens in the rolling context after this round (before left truncation). */
  contextTokens: number;
}

export interface EpisodeMetrics {
  em: 0 | 1;
  f1: number;
  format: 0 | -1;
  costUnits: number;
  costUsd: number;
  /** Valid routes by the reference's route_count on the response text. */
  routes: number;
  /** Calls actually made (including failed ones). */
  calls: number;
  /** Generations (the reference's turns_stats). */
  turns: number;
}

export interface PolicyRecord {
  kind: 'human' | 'replay' | 'scripted' | 'onnx';
  id: string;
  sampling?: { temperature: number; topP: number; topK?: number; seed: number };
}

export interface QuestionRecord {
  id?: string;
  dataset?: string;
  text: string;
  goldAnswers: string[];
}

export interface Trajectory {
  version: typeof TRAJECTORY_VERSION;
  id: string;
  question: QuestionRecord;
  template: TemplateId;
  /** The user message (template with the normalised question). */
  prompt: string;
  promptTokens: number;
  policy: PolicyRecord;
  pool: PoolModelRecord[];
  /** The candidate prompt template ({query} replaced per call), so the record alone can be re-run. */
  agentTemplate?: string;
  settings: EnvSettings;
  rounds: RoundRecord[];
  /** The decoded response after the prompt: every kept turn text and observation, in order. */
  response: string;
  reward: RewardBreakdown | null;
  metrics: EpisodeMetrics | null;
  /** How the episode ended. */
  status: 'answered' | 'out-of-turns' | 'context-full' | 'aborted' | 'failed';
  error?: string;
}
