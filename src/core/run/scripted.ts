/**
 * Scripted fakes of the policy and candidate ports, for tests, examples and demos without a model or
 * keys. Deterministic: same script, same trajectory. Not a simulation of any real model.
 */
import { pySplit } from '../text/pyText';
import { CandidateCallError, type CandidateCaller, type CandidateReply, type Policy } from '../policy/ports';
import type { CallError, PolicyRecord, TokenUsage } from '../env/trajectory';

export class ScriptExhaustedError extends Error {
  override name = 'ScriptExhaustedError';
}

export interface ScriptedPolicyOptions {
  id?: string;
  /** Report generationMs = round(text length × msPerChar); when absent the runner's clock measures. */
  msPerChar?: number;
}

/** A policy that returns the given turn texts in order (raw: the environment still cuts them). */
export function createScriptedPolicy(turns: readonly string[], opts: ScriptedPolicyOptions = {}): Policy {
  let next = 0;
  const record: PolicyRecord = { kind: 'scripted', id: opts.id ?? 'scripted' };
  return {
    describe: () => ({ ...record }),
    async generate(_req, { signal }) {
      signal?.throwIfAborted();
      const text = turns[next];
      if (text === undefined) {
        throw new ScriptExhaustedError(`The scripted policy has ${turns.length} turns and was asked for turn ${next + 1}; add turns to the script.`);
      }
      next++;
      return opts.msPerChar === undefined ? { text } : { text, generationMs: Math.round(text.length * opts.msPerChar) };
    },
  };
}

/**
 * Deterministic usage of a scripted reply, a rough stand-in for a real tokenizer:
 *   completionTokens = round(1.3 × whitespace-separated words of the reply)
 *   promptTokens     = round(prompt length in UTF-16 units / 4)
 */
export function scriptedUsage(prompt: string, reply: string): TokenUsage {
  return { promptTokens: Math.round(prompt.length / 4), completionTokens: Math.round(pySplit(reply).length * 1.3) };
}

export interface ScriptedCallerOptions {
  /** Reported latency: baseMs + msPerToken × completion tokens (defaults 200 and 10). */
  baseMs?: number;
  msPerToken?: number;
}

/**
 * A caller that answers each pool model (by its name) with a fixed reply, or fails with the given
 * error. The same reply every time the model is called.
 */
export function createScriptedCaller(replies: Readonly<Record<string, string | CallError>>, opts: ScriptedCallerOptions = {}): CandidateCaller {
  const baseMs = opts.baseMs ?? 200;
  const msPerToken = opts.msPerToken ?? 10;
  return {
    async call(req, { signal }): Promise<CandidateReply> {
      signal?.throwIfAborted();
      const scripted = Object.hasOwn(replies, req.model.name) ? replies[req.model.name] : undefined;
      if (scripted === undefined) {
        throw new CandidateCallError('not-found', `The scripted caller has no reply for "${req.model.name}"; add it to the replies.`, { latencyMs: baseMs });
      }
      if (typeof scripted !== 'string') throw new CandidateCallError(scripted.kind, scripted.message, { latencyMs: baseMs });
      const usage = scriptedUsage(req.prompt, scripted);
      return { reply: scripted, usage, latencyMs: baseMs + msPerToken * usage.completionTokens, cached: false };
    },
  };
}
