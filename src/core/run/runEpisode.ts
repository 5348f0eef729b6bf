/**
 * Runs one Router-R1 episode: the routing environment (env/routingEnv.ts) decides, this loop performs
 * its effects (policy generations, candidate calls) and yields plain-data events. The clock and the
 * abort signal are injected; nothing here touches a global.
 *
 * Ending: the last event is always `episode.finished`. An abort finishes with status 'aborted', a
 * policy (or caller bug) exception with 'failed'; both keep every round recorded so far and are not
 * scored (nothing is pushed into the cost window). Setup errors (EnvInitError, TemplateError) throw
 * from the first `next()`: they are configuration mistakes, not episode outcomes.
 */
import { assertNever } from '../math/assertNever';
import type { CostWindow } from '../reward/costReward';
import type { RewardMetric } from '../reward/total';
import { CandidateCallError, type CandidateCaller, type Policy, type Tokenizer } from '../policy/ports';
import { isScorable, scoreTrajectory } from '../env/metrics';
import {
  createRoutingEnv,
  stepRoutingEnv,
  type EnvAction,
  type EnvEffect,
  type EnvStep,
  type RoutingEnvContext,
  type RoutingEnvInit,
  type RoutingEnvState,
} from '../env/routingEnv';
import type { RoundRecord, Trajectory } from '../env/trajectory';
import type { EpisodeEvent } from './episodeEvents';

/** The environment broke its own contract; not a user error. */
export class EpisodeLoopError extends Error {
  override name = 'EpisodeLoopError';
}

export interface EpisodeRequest extends Omit<RoutingEnvInit, 'tokenizer' | 'policy'> {
  /** Weight of the cost reward in the total (§2.4): 0 in the main experiments. */
  alpha: number;
  metric?: RewardMetric;
}

export interface EpisodeDeps {
  policy: Policy;
  caller: CandidateCaller;
  tokenizer: Tokenizer;
  /** The cost window shared by everything scored, in order; a finished episode pushes its cost. */
  costWindow: CostWindow;
  /** Milliseconds from any origin; used when a port does not report its own time. */
  now: () => number;
  signal?: AbortSignal;
}

export async function* runEpisode(req: EpisodeRequest, deps: EpisodeDeps): AsyncGenerator<EpisodeEvent, Trajectory> {
  const { signal } = deps;
  const { alpha, metric, ...env } = req;
  const start = createRoutingEnv({ ...env, policy: deps.policy.describe(), tokenizer: deps.tokenizer });
  const { ctx } = start;
  let state = start.state;
  const queue: EnvEffect[] = [...start.effects];
  yield { type: 'episode.started', trajectory: state.trajectory };
  try {
    for (let effect = queue.shift(); effect !== undefined; effect = queue.shift()) {
      signal?.throwIfAborted();
      switch (effect.type) {
        case 'generate': {
          // 1. think: the policy writes one turn.
          yield { type: 'round.started', roundIndex: effect.request.roundIndex, routingEnabled: effect.request.routingEnabled, contextTokens: effect.request.contextTokenIds.length };
          const step = stepRoutingEnv(ctx, state, await generate(deps, effect.request));
          state = step.state;
          queue.push(...step.effects);
          yield* generationEvents(lastRound(state));
          break;
        }
        case 'callCandidate': {
          // 2. route: call the chosen candidate; its reply (or None) becomes the observation.
          yield { type: 'route.called', roundIndex: effect.roundIndex, poolIndex: effect.poolIndex, modelName: effect.model.name, query: effect.query, prompt: effect.prompt, params: effect.params };
          const step = stepRoutingEnv(ctx, state, await callCandidate(deps, effect));
          state = step.state;
          queue.push(...step.effects);
          yield* callEvents(state.trajectory.rounds[effect.roundIndex]);
          break;
        }
        case 'finish': {
          // 3. score: push the cost into the shared window, then the reward breakdown.
          const trajectory = score(state.trajectory, deps.costWindow, alpha, metric);
          yield { type: 'episode.finished', trajectory };
          return trajectory;
        }
        default:
          assertNever(effect, 'environment effect');
      }
    }
    throw new EpisodeLoopError('The environment stopped without a finish effect; this is a bug in env/routingEnv.ts.');
  } catch (err) {
    // 4. stop: keep everything recorded so far.
    const trajectory = interrupted(ctx, state, signal?.aborted === true ? 'aborted' : 'failed', err);
    yield { type: 'episode.finished', trajectory };
    return trajectory;
  }
}

/** Drains the events and returns the finished trajectory (for callers that need no events). */
export async function runEpisodeToEnd(req: EpisodeRequest, deps: EpisodeDeps): Promise<Trajectory> {
  const events = runEpisode(req, deps);
  for (;;) {
    const next = await events.next();
    if (next.done === true) return next.value;
  }
}

async function generate(deps: EpisodeDeps, request: Extract<EnvEffect, { type: 'generate' }>['request']): Promise<EnvAction> {
  const started = deps.now();
  const out = await deps.policy.generate(request, { signal: deps.signal });
  return {
    type: 'policy.generated',
    rawText: out.text,
    ...(out.tokenIds === undefined ? {} : { tokenIds: out.tokenIds }),
    ...(out.logProbs === undefined ? {} : { logProbs: out.logProbs }),
    generationMs: out.generationMs ?? deps.now() - started,
  };
}

/** A CandidateCallError becomes a recorded failure; an abort or any other error stops the episode. */
async function callCandidate(deps: EpisodeDeps, effect: Extract<EnvEffect, { type: 'callCandidate' }>): Promise<EnvAction> {
  const started = deps.now();
  try {
    const { poolIndex, model, prompt, query, params } = effect;
    const r = await deps.caller.call({ poolIndex, model, prompt, query, params }, { signal: deps.signal });
    return { type: 'candidate.replied', reply: r.reply, usage: r.usage, latencyMs: r.latencyMs, cached: r.cached ?? false };
  } catch (err) {
    if (deps.signal?.aborted === true || !(err instanceof CandidateCallError)) throw err;
    return { type: 'candidate.failed', error: err.toCallError(), latencyMs: err.latencyMs ?? deps.now() - started };
  }
}

function* generationEvents(round: RoundRecord): Generator<EpisodeEvent> {
  yield { type: 'round.generated', round };
  // A pending call is reported by route.called; a resolved one (unknown model) and observations now.
  if (round.call?.error != null) yield { type: 'candidate.failed', roundIndex: round.index, call: round.call };
  if (round.observation !== null) yield { type: 'observation.appended', roundIndex: round.index, observation: round.observation };
}

function* callEvents(round: RoundRecord | undefined): Generator<EpisodeEvent> {
  if (round?.call == null) return;
  const type = round.call.error === null ? 'candidate.replied' : 'candidate.failed';
  yield { type, roundIndex: round.index, call: round.call };
  if (round.observation !== null) yield { type: 'observation.appended', roundIndex: round.index, observation: round.observation };
}

function score(t: Trajectory, window: CostWindow, alpha: number, metric: RewardMetric | undefined): Trajectory {
  if (!isScorable(t) || t.metrics === null) return t;
  const costReward = window.score(t.metrics.costUnits);
  return scoreTrajectory(t, { costReward, alpha, ...(metric === undefined ? {} : { metric }) });
}

function interrupted(ctx: RoutingEnvContext, state: RoutingEnvState, status: 'aborted' | 'failed', err: unknown): Trajectory {
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const step: EnvStep = stepRoutingEnv(ctx, state, { type: 'episode.interrupted', status, message });
  return step.state.trajectory;
}

function lastRound(state: RoutingEnvState): RoundRecord {
  const round = state.trajectory.rounds[state.trajectory.rounds.length - 1];
  if (round === undefined) throw new EpisodeLoopError('A generation left no round; this is a bug in env/routingEnv.ts.');
  return round;
}
