/**
 * Forking a recorded episode at a round (ForkSpec): the rounds before the fork replay as recorded, the
 * fork round is the user's edited turn, and the policy continues from there. The candidate side matches:
 * recorded replies before the fork, the user's what-if reply (when given) for the fork round's call, and
 * live calls after it.
 *
 * A model policy sees the same context ids for the replayed prefix as in the original episode, so the
 * decode loop keeps that prefix in the KV cache (kvPrefix.ts) when the same model instance continues.
 */
import type { ForkSpec } from '../engine';
import type { CandidateCaller, Policy } from '../policy/ports';
import { createReplayCaller, createReplayPolicy } from './replay';
import { scriptedUsage } from './scripted';

export class ForkError extends Error {
  override name = 'ForkError';
}

export interface ForkPorts {
  policy: Policy;
  caller: CandidateCaller;
}

/** Wrap the continuing policy and the live caller so the episode replays up to the fork. */
export function forkPorts(fork: ForkSpec, continuing: ForkPorts): ForkPorts {
  const k = fork.roundIndex;
  if (!Number.isInteger(k) || k < 0 || k >= fork.from.rounds.length) {
    throw new ForkError(`Round ${k + 1} is not a recorded round of the episode (it has ${fork.from.rounds.length}); fork a round that finished.`);
  }
  const prefix = { ...fork.from, rounds: fork.from.rounds.slice(0, k) };
  const replayPolicy = createReplayPolicy(prefix);
  const replayCaller = createReplayCaller(prefix);
  let round = -1; // the round being played: its call follows its generation
  const policy: Policy = {
    describe: () => continuing.policy.describe(),
    async generate(req, opts) {
      round = req.roundIndex;
      if (req.roundIndex < k) return replayPolicy.generate(req, opts);
      if (req.roundIndex === k) {
        opts.signal?.throwIfAborted();
        return { text: fork.turnText, generationMs: 0 };
      }
      return continuing.policy.generate(req, opts);
    },
  };
  const caller: CandidateCaller = {
    async call(req, opts) {
      if (round < k) return replayCaller.call(req, opts);
      if (round === k && fork.reply !== undefined) {
        opts.signal?.throwIfAborted();
        // A what-if reply: nothing is sent; usage is the scripted estimate so the cost stays comparable.
        return { reply: fork.reply, usage: scriptedUsage(req.prompt, fork.reply), latencyMs: 0, cached: true };
      }
      return continuing.caller.call(req, opts);
    },
  };
  return { policy, caller };
}
