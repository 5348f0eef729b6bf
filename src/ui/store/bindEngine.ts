/**
 * Where engine streams become state (STYLE.md principle 10): one binder per stream, each the only
 * `for await` over its stream — episodes here; evaluations (bindEvaluation.ts), training
 * (bindTraining.ts), model loads and conversions (bindModel.ts). Action modules issue commands and hand
 * the stream to its binder; they never read a stream themselves. Fast streams are written once per
 * animation frame through the one frame batcher (frameBatcher.ts).
 *
 * Episodes: every event updates the store as it arrives, so a running episode grows live. Episodes
 * played here ('live') move the cursor with the newest step unless the user stepped back; replays stay
 * where the user is. A model policy's `round.token` events (one per token) are batched per frame.
 * Must not: hold engines, sessions or abort controllers (the action modules own those).
 */
import type { Engine, EngineEpisodeRequest, EpisodeEvent, RoundRecord, Trajectory } from '../../core';
import type { AppStore } from './appStore';
import { createFrameBatcher, nextFrame, type FrameScheduler } from './frameBatcher';
import type { TrajectorySource } from './trajectorySlice';

export type { FrameScheduler } from './frameBatcher';

export async function runEpisodeIntoStore(
  engine: Engine,
  store: AppStore,
  req: EngineEpisodeRequest,
  source: TrajectorySource,
  opts: { signal?: AbortSignal; schedule?: FrameScheduler } = {},
): Promise<Trajectory | null> {
  const s = store.getState;
  s().beginLoad(source);
  s().episodeStarting(req.episode.id);
  s().streamEnded();
  const follow = source === 'live';
  const tokens = createTokenBatcher(store, opts.schedule ?? nextFrame);
  let t: Trajectory | null = null;
  try {
    for await (const event of engine.runEpisode(req, opts.signal === undefined ? {} : { signal: opts.signal })) {
      if (opts.signal?.aborted === true && event.type !== 'episode.finished') continue;
      if (event.type === 'round.token') {
        tokens.push(event.roundIndex, event.text);
        continue;
      }
      if (event.type === 'round.started') s().streamStarted(event.roundIndex);
      if (event.type === 'round.generated' || event.type === 'episode.finished') tokens.end();
      t = applyEvent(store, t, event, source, follow);
    }
  } catch (err) {
    tokens.end();
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    if (t === null) s().failLoad(message);
    s().episodeEnded(message);
  }
  return t;
}

/** Streamed text, written once per frame (consecutive tokens of a round as one append); `end` drops what is pending (the round's record replaces it). */
function createTokenBatcher(store: AppStore, schedule: FrameScheduler): { push(roundIndex: number, text: string): void; end(): void } {
  const batcher = createFrameBatcher<{ roundIndex: number; text: string }>(schedule, (tokens) => {
    for (let i = 0; i < tokens.length; ) {
      const roundIndex = (tokens[i] as { roundIndex: number }).roundIndex;
      let text = '';
      let count = 0;
      for (; i < tokens.length && tokens[i]?.roundIndex === roundIndex; i++, count++) text += tokens[i]?.text ?? '';
      store.getState().streamAppended(roundIndex, text, count);
    }
  });
  return {
    push: (roundIndex, text) => batcher.push({ roundIndex, text }),
    end() {
      batcher.drop();
      store.getState().streamEnded();
    },
  };
}

function applyEvent(store: AppStore, t: Trajectory | null, event: EpisodeEvent, source: TrajectorySource, follow: boolean): Trajectory | null {
  const s = store.getState;
  switch (event.type) {
    case 'episode.started':
      s().loadTrajectory(event.trajectory, source);
      return event.trajectory;
    case 'round.started':
      s().turnAwaited({ roundIndex: event.roundIndex, routingEnabled: event.routingEnabled, contextTokens: event.contextTokens });
      return t;
    case 'round.generated':
      s().turnGenerated();
      return update(store, t, (x) => ({ ...x, rounds: [...x.rounds.slice(0, event.round.index), event.round] }), follow);
    case 'route.called':
      s().callStarted(event.modelName);
      return t;
    case 'candidate.replied':
    case 'candidate.failed':
      s().callEnded();
      return update(store, t, (x) => withRound(x, event.roundIndex, (r) => ({ ...r, call: event.call })), follow);
    case 'observation.appended':
      return update(store, t, (x) => withRound(x, event.roundIndex, (r) => ({ ...r, observation: event.observation })), follow);
    case 'episode.finished': {
      const done = event.trajectory;
      if (t === null) s().loadTrajectory(done, source);
      else s().updateTrajectory(done, follow);
      s().episodeEnded(done.status === 'failed' ? (done.error ?? 'The episode failed.') : null);
      return done;
    }
    default:
      return t;
  }
}

function update(store: AppStore, t: Trajectory | null, change: (t: Trajectory) => Trajectory, follow: boolean): Trajectory | null {
  if (t === null) return t;
  const next = change(t);
  store.getState().updateTrajectory(next, follow);
  return next;
}

function withRound(t: Trajectory, index: number, change: (r: RoundRecord) => RoundRecord): Trajectory {
  return { ...t, rounds: t.rounds.map((r, i) => (i === index ? change(r) : r)) };
}
