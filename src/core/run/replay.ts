/**
 * Replay of a recorded trajectory: a policy and a caller that return what was recorded (texts, token
 * ids, log-probs, generation times, replies, usages, latencies, errors), so running the environment
 * again over them reproduces the trajectory exactly. Times come from the record, never from the clock.
 * A request that differs from the record means the run diverged (other settings, pool or template):
 * that is an error, not a silent mismatch.
 */
import { CandidateCallError, type CandidateCaller, type Policy } from '../policy/ports';
import type { CallRecord, RoundRecord, Trajectory } from '../env/trajectory';
import type { EpisodeRequest } from './runEpisode';

export class ReplayDivergedError extends Error {
  override name = 'ReplayDivergedError';
}

/** Returns each recorded round's raw text, with its kept token ids, log-probs and generation time. */
export function createReplayPolicy(t: Trajectory): Policy {
  let next = 0;
  return {
    // The original record, so a replay deep-equals its source.
    describe: () => ({ ...t.policy }),
    async generate(req) {
      const round: RoundRecord | undefined = t.rounds[next];
      if (round === undefined) throw new ReplayDivergedError(`The recording has ${t.rounds.length} rounds and the replay asked for round ${next + 1}; replay with the recording's settings.`);
      if (req.roundIndex !== round.index) throw new ReplayDivergedError(`The replay asked for round ${req.roundIndex} where the recording has round ${round.index}.`);
      next++;
      return {
        text: round.rawText,
        ...(round.tokenIds === undefined ? {} : { tokenIds: [...round.tokenIds] }),
        ...(round.logProbs === undefined ? {} : { logProbs: [...round.logProbs] }),
        generationMs: round.generationMs,
      };
    },
  };
}

/** Calls that were sent (an unknown model sends none), in order. */
function sentCalls(t: Trajectory): CallRecord[] {
  return t.rounds.flatMap((r) => (r.call !== null && r.call.prompt !== null ? [r.call] : []));
}

/** Returns each recorded reply, or re-throws the recorded error as a CandidateCallError. */
export function createReplayCaller(t: Trajectory): CandidateCaller {
  const calls = sentCalls(t);
  let next = 0;
  return {
    async call(req) {
      const call = calls[next];
      if (call === undefined) throw new ReplayDivergedError(`The recording has ${calls.length} calls and the replay made call ${next + 1}.`);
      if (call.poolIndex !== req.poolIndex || call.prompt !== req.prompt) {
        throw new ReplayDivergedError(`Call ${next + 1} went to pool model ${req.poolIndex} where the recording called ${call.poolIndex} (or with another prompt); replay with the recording's pool and agent template.`);
      }
      next++;
      if (call.error !== null) throw new CandidateCallError(call.error.kind, call.error.message, { latencyMs: call.latencyMs });
      if (call.reply === null || call.usage === null) throw new ReplayDivergedError(`Recorded call ${next} has neither a reply nor an error; the recording is incomplete.`);
      return { reply: call.reply, usage: { ...call.usage }, latencyMs: call.latencyMs, cached: call.cached };
    },
  };
}

/** The request that re-runs a recording (alpha and metric from its reward, 0 / EM when it has none). */
export function replayRequest(t: Trajectory, agentTemplate = t.agentTemplate): EpisodeRequest {
  if (agentTemplate === undefined) {
    throw new ReplayDivergedError('The recording has no agent template; pass the template its calls were made with.');
  }
  return {
    id: t.id,
    question: { ...t.question, goldAnswers: [...t.question.goldAnswers] },
    template: t.template,
    prompt: t.prompt,
    pool: t.pool.map((m) => ({ ...m })),
    agentTemplate,
    settings: { ...t.settings },
    alpha: t.reward?.alpha ?? 0,
    ...(t.reward === null ? {} : { metric: t.reward.metric }),
  };
}
