/**
 * The Engine in the calling thread. It owns the cost window shared by every episode it scores, in
 * order (DESIGN.md §2.4), and turns plain-data specs into policy and candidate ports.
 */
import type { CandidateSpec, Engine, EngineEpisodeRequest, PolicySpec } from '../engine';
import { assertNever } from '../math/assertNever';
import { createByteTokenizer } from '../policy/byteTokenizer';
import type { CandidateCaller, Policy } from '../policy/ports';
import { createCostWindow, type CostWindow } from '../reward/costReward';
import { createHumanPolicy, NoTurnPendingError, type HumanPolicy } from './humanPolicy';
import { createReplayCaller, createReplayPolicy } from './replay';
import { runEpisode } from './runEpisode';
import { createScriptedCaller, createScriptedPolicy } from './scripted';

export interface InProcessEngineDeps {
  /** Milliseconds from any origin (injected: core never reads a clock itself). */
  now: () => number;
  costWindow?: CostWindow;
}

export function createInProcessEngine(deps: InProcessEngineDeps): Engine {
  const costWindow = deps.costWindow ?? createCostWindow();
  // Human-driven episodes in flight, by episode id, so submitTurn can reach their policy.
  const humans = new Map<string, HumanPolicy>();
  return {
    async *runEpisode(req: EngineEpisodeRequest, opts?: { signal?: AbortSignal }) {
      const policy = policyFor(req.policy);
      const human = req.policy.kind === 'human' ? (policy as HumanPolicy) : undefined;
      if (human !== undefined) humans.set(req.episode.id, human);
      try {
        yield* runEpisode(req.episode, {
          policy,
          caller: callerFor(req.candidates),
          tokenizer: createByteTokenizer(),
          costWindow,
          now: deps.now,
          ...(opts?.signal === undefined ? {} : { signal: opts.signal }),
        });
      } finally {
        if (human !== undefined && humans.get(req.episode.id) === human) humans.delete(req.episode.id);
      }
    },
    async submitTurn(episodeId, text) {
      const human = humans.get(episodeId);
      if (human === undefined) throw new NoTurnPendingError(`No episode "${episodeId}" is waiting for a turn from you; start one first.`);
      human.submit(text);
    },
    async dispose() {},
  };
}

function policyFor(spec: PolicySpec): Policy {
  switch (spec.kind) {
    case 'replay':
      return createReplayPolicy(spec.trajectory);
    case 'scripted':
      return createScriptedPolicy(spec.turns, {
        ...(spec.id === undefined ? {} : { id: spec.id }),
        ...(spec.msPerChar === undefined ? {} : { msPerChar: spec.msPerChar }),
      });
    case 'human':
      return createHumanPolicy(spec.id);
    default:
      return assertNever(spec, 'policy spec');
  }
}

function callerFor(spec: CandidateSpec): CandidateCaller {
  switch (spec.kind) {
    case 'replay':
      return createReplayCaller(spec.trajectory);
    case 'scripted':
      return createScriptedCaller(spec.replies);
    default:
      return assertNever(spec, 'candidate spec');
  }
}
