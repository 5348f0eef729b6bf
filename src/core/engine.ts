/**
 * The Engine: one interface, two hosts (STYLE.md principle 2). `createInProcessEngine` runs it in the
 * calling thread (Node tests, CLI, inside the worker); `EngineClient` (src/worker) proxies it to a Web
 * Worker so the UI thread never runs a model. Requests and events are plain data.
 */
import type { Trajectory } from './env/trajectory';
import type { EpisodeEvent } from './run/episodeEvents';
import type { EpisodeRequest } from './run/runEpisode';
import type { CallError } from './env/trajectory';

/** Which policy drives the episode. More kinds (onnx) arrive with the policy runtime. */
export type PolicySpec =
  | { kind: 'replay'; trajectory: Trajectory }
  | { kind: 'scripted'; id?: string; turns: string[]; msPerChar?: number }
  /** "You are the router": turns come from Engine.submitTurn. */
  | { kind: 'human'; id?: string };

/** Who answers the routes. More kinds (providers, offline pool) arrive with the candidate providers. */
export type CandidateSpec =
  | { kind: 'replay'; trajectory: Trajectory }
  | { kind: 'scripted'; replies: Record<string, string | CallError> };

export interface EngineEpisodeRequest {
  episode: EpisodeRequest;
  policy: PolicySpec;
  candidates: CandidateSpec;
}

export interface Engine {
  /** Streams the episode's events; the last one is always `episode.finished`. */
  runEpisode(req: EngineEpisodeRequest, opts?: { signal?: AbortSignal }): AsyncIterable<EpisodeEvent>;
  /** Gives a human-driven episode (policy kind 'human') its next turn; rejects when none is awaited. */
  submitTurn(episodeId: string, text: string): Promise<void>;
  dispose(): Promise<void>;
}
