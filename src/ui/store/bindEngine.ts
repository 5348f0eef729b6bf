/**
 * The only place engine events become state (STYLE.md principle 10). Every event updates the store as
 * it arrives: a round appears when it is generated, its reply when the call returns, so a running
 * episode grows live. Episodes played here ('live') move the cursor with the newest step unless the
 * user stepped back; replays stay where the user is. A model policy's `round.token` events come one
 * per token: they are batched and written once per animation frame (`schedule`), so the store and React
 * see at most one update per frame however fast the model is.
 */
import type { Engine, EngineEpisodeRequest, EpisodeEvent, RoundRecord, Trajectory } from '../../core';
import type { AppStore } from './appStore';
import type { TrajectorySource } from './trajectorySlice';

/** Runs `flush` on the next frame (requestAnimationFrame; a 16 ms timer where there is none, e.g. jsdom). */
export type FrameScheduler = (flush: () => void) => void;

const nextFrame: FrameScheduler = (flush) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => flush());
  else setTimeout(flush, 16);
};

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

/** Collects streamed text and writes it once per frame; `end` drops what is pending (the round's record replaces it). */
function createTokenBatcher(store: AppStore, schedule: FrameScheduler): { push(roundIndex: number, text: string): void; end(): void } {
  let pending: { roundIndex: number; text: string; tokens: number } | null = null;
  let scheduled = false;
  let generation = 0;
  const flush = (gen: number) => {
    scheduled = false;
    if (gen !== generation || pending === null) return;
    const p = pending;
    pending = null;
    store.getState().streamAppended(p.roundIndex, p.text, p.tokens);
  };
  return {
    push(roundIndex, text) {
      if (pending !== null && pending.roundIndex !== roundIndex) flush(generation);
      pending = pending === null ? { roundIndex, text, tokens: 1 } : { ...pending, text: pending.text + text, tokens: pending.tokens + 1 };
      if (!scheduled) {
        scheduled = true;
        const gen = generation;
        schedule(() => flush(gen));
      }
    },
    end() {
      generation++;
      pending = null;
      scheduled = false;
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
