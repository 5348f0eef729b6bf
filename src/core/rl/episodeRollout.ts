/**
 * The rollout port over the real episode runner (run/runEpisode.ts), for any caller, policy and request,
 * and the learner's token view of a finished trajectory. The hosts' offline-pool composition on top of it
 * is offlinePoolRollout.ts:
 *
 *   rollout: createEpisodeRollout({ tokenizer, caller, policy: (rng) => createLanguageModelPolicy(model, tok, { …, rng }), request, now })
 *
 * The episode gets a THROWAWAY cost window: the loop re-scores every kept rollout with the run's own
 * shared window, in a fixed order (rollouts.ts), so its reward here is only provisional.
 */
import type { Rng } from '../math/rng';
import type { QuestionRecord, Trajectory } from '../env/trajectory';
import type { CandidateCaller, Policy, Tokenizer } from '../policy/ports';
import { NO_CHAT_FRAMING, type ChatFraming } from '../policy/tokenizedChat';
import { createCostWindow } from '../reward/costReward';
import { runEpisode, type EpisodeRequest } from '../run/runEpisode';
import type { EpisodeEvent } from '../run/episodeEvents';
import type { RolloutPort, RolloutRequest } from './rollouts';
import type { RolloutSequence } from '../learner/trainBatch';

/**
 * The sequence the policy saw, rebuilt from the record as the environment builds its context:
 *   framing prefix · prompt ids (left-truncated to promptTokens) · framing suffix     mask 0
 *   per round: encode(kept turn text)                                               mask 1 (the policy's)
 *              encode(observation text), first observation.tokenCount ids           mask 0
 * Like the environment, it re-encodes the kept text instead of using the policy's sampled ids (the
 * learner recomputes the old log-probs, so they stay consistent). Not applied: the rolling-context
 * left truncation (maxContextTokens); a longer episode trains on its whole history.
 * An observation the 600-token cap cut inside a multi-byte character may re-encode differently.
 */
export function trajectorySequence(t: Trajectory, tokenizer: Tokenizer, framing: ChatFraming = NO_CHAT_FRAMING): RolloutSequence {
  const tokenIds: number[] = [];
  const policyMask: number[] = [];
  const push = (ids: readonly number[], mask: 0 | 1): void => {
    for (const id of ids) {
      tokenIds.push(id);
      policyMask.push(mask);
    }
  };
  push(framing.prefixIds, 0);
  push(tokenizer.encode(t.prompt).slice(-t.promptTokens), 0);
  push(framing.suffixIds, 0);
  for (const round of t.rounds) {
    push(tokenizer.encode(round.text), 1);
    if (round.observation !== null) push(tokenizer.encode(round.observation.text).slice(0, round.observation.tokenCount), 0);
  }
  return { tokenIds, policyMask };
}

export interface EpisodeRolloutDeps {
  tokenizer: Tokenizer;
  caller: CandidateCaller;
  /** The rollout policy (whose weights the loop syncs), sampling with this rollout's own rng. */
  policy(rng: Rng): Policy;
  /** The episode for a question: prompt rendered with the run's template, pool, settings. */
  request(question: QuestionRecord, episodeId: string): Omit<EpisodeRequest, 'alpha'>;
  framing?: ChatFraming;
  now: () => number;
  /** Every episode event, e.g. to stream a live rollout to the timeline. */
  onEvent?: (event: EpisodeEvent, req: RolloutRequest) => void;
}

export function createEpisodeRollout(d: EpisodeRolloutDeps): RolloutPort {
  return async (req, { signal }) => {
    const id = `train.${req.step}.${req.questionIndex}.${req.groupIndex}`;
    const episode = runEpisode(
      { ...d.request(req.question, id), alpha: req.alpha },
      { policy: d.policy(req.rng), caller: d.caller, tokenizer: d.tokenizer, costWindow: createCostWindow(), now: d.now, ...(signal === undefined ? {} : { signal }) },
    );
    let trajectory: Trajectory;
    for (;;) {
      const next = await episode.next();
      if (next.done === true) {
        trajectory = next.value;
        break;
      }
      d.onEvent?.(next.value, req);
    }
    // runEpisode records an abort as a finished 'aborted' episode; the loop must stop, not exclude it.
    signal?.throwIfAborted();
    return { trajectory, sequence: trajectorySequence(trajectory, d.tokenizer, d.framing) };
  };
}
