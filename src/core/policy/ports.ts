/**
 * The ports the episode runner needs: a tokenizer, a router policy and a candidate caller.
 * Implementations live elsewhere (ONNX policy with a KV cache, HTTP providers, offline pool, the
 * scripted fakes in run/scripted.ts); this module only fixes the shapes. Everything crossing a port
 * is plain data, so requests and replies can be recorded in a Trajectory and replayed.
 */
import type { CallError, CallErrorKind, PolicyRecord, PoolModelRecord, TokenUsage } from '../env/trajectory';

/** The policy's tokenizer: the token budget of prompts, observations and the rolling context is counted in it. */
export interface Tokenizer {
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
}

export interface GenerateRequest {
  /** The user message the policy sees (left-truncated to maxPromptTokens when it was too long). */
  promptText: string;
  /** The response so far after the prompt: kept turn texts and observations, untruncated. */
  contextText: string;
  /** Prompt + response token ids, left-truncated to maxContextTokens (what a KV-cache policy feeds). */
  contextTokenIds: number[];
  roundIndex: number;
  /** False on the final turn after maxTurns: a <search> there gets no call. */
  routingEnabled: boolean;
  maxNewTokens: number;
  /** Strings after which the policy may stop early; the environment cuts the text anyway. */
  stop: readonly string[];
}

export interface GenerateResult {
  /** The raw generated text (the environment cuts it after the first </search> / </answer>). */
  text: string;
  /** Token ids of `text` and their log-probs, when the policy has them (needed for RL). */
  tokenIds?: number[];
  logProbs?: number[];
  /** Reported generation time; the runner measures it with its clock when absent. */
  generationMs?: number;
}

export interface Policy {
  generate(req: GenerateRequest, opts: { signal?: AbortSignal }): Promise<GenerateResult>;
  /** What gets recorded in Trajectory.policy. */
  describe(): PolicyRecord;
}

/** Candidate sampling parameters as sent (reference: temperature 0, Gemma 0.1; top-p 1; seed 42; 512 tokens). */
export interface CallParams {
  temperature: number;
  topP: number;
  seed: number;
  maxTokens: number;
}

export interface CandidateCallRequest {
  poolIndex: number;
  model: PoolModelRecord;
  /** The full candidate prompt: the agent template with {query} replaced. */
  prompt: string;
  /** The query as sent (text between the first and second colon, unstripped). */
  query: string;
  params: CallParams;
}

export interface CandidateReply {
  reply: string;
  usage: TokenUsage;
  latencyMs: number;
  /** True when the reply came from a cache or recorded pool rather than a live call. */
  cached?: boolean;
}

export interface CandidateCaller {
  /** Resolves with the reply, or rejects with a CandidateCallError (any other error fails the episode). */
  call(req: CandidateCallRequest, opts: { signal?: AbortSignal }): Promise<CandidateReply>;
}

/**
 * A failed candidate call. The environment records `kind` and `message` in the CallRecord and appends
 * `<information>None</information>`, as the reference does for an API failure.
 */
export class CandidateCallError extends Error {
  override name = 'CandidateCallError';
  readonly kind: CallErrorKind;
  /** How long the failed attempt took, when the caller knows it (replay reports the recorded value). */
  readonly latencyMs: number | undefined;

  constructor(kind: CallErrorKind, message: string, opts: { latencyMs?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.kind = kind;
    this.latencyMs = opts.latencyMs;
  }

  toCallError(): CallError {
    return { kind: this.kind, message: this.message };
  }
}
