/**
 * The events of one episode, in the order runEpisode yields them. Plain data (they cross postMessage
 * unchanged); the UI state is fed only by these. Records inside them are snapshots: the environment
 * never mutates a record once built.
 */
import type { CallParams } from '../policy/ports';
import type { CallRecord, ObservationRecord, RoundRecord, Trajectory } from '../env/trajectory';

export type EpisodeEvent =
  /** The trajectory as set up: prompt, pool, settings, no rounds yet. */
  | { type: 'episode.started'; trajectory: Trajectory }
  /** The policy is asked for its next turn (a human policy now waits for the user's text). */
  | { type: 'round.started'; roundIndex: number; routingEnabled: boolean; contextTokens: number }
  /**
   * One token of the policy's generation, streamed while the round is written (model policies only).
   * `text` is its newly stable text (may be empty mid-character); the round's record comes with round.generated.
   */
  | { type: 'round.token'; roundIndex: number; text: string; tokenId: number; logProb: number }
  /** One generation, cut and parsed. A route's call is still pending here (reply null). */
  | { type: 'round.generated'; round: RoundRecord }
  /** Sent just before the candidate call is made; modelName is the pool model's (the policy's spelling is in the round's call). */
  | { type: 'route.called'; roundIndex: number; poolIndex: number; modelName: string; query: string; prompt: string; params: CallParams }
  | { type: 'candidate.replied'; roundIndex: number; call: CallRecord }
  /** A failed call, or a route to a name outside the pool (error kind 'unknown-model', no call made). */
  | { type: 'candidate.failed'; roundIndex: number; call: CallRecord }
  | { type: 'observation.appended'; roundIndex: number; observation: ObservationRecord }
  /** Always the last event, also after an abort or a failure (status says which), with everything recorded. */
  | { type: 'episode.finished'; trajectory: Trajectory };

export type EpisodeEventType = EpisodeEvent['type'];
