/**
 * The only place engine events become state (STYLE.md principle 10). Every event updates the store as
 * it arrives: a round appears when it is generated, its reply when the call returns, so a running
 * episode grows live. Episodes played here ('live') move the cursor with the newest step unless the
 * user stepped back; replays stay where the user is. (Events come a few per round, so no per-frame
 * batching is needed yet; token streaming will add it here.)
 */
import type { Engine, EngineEpisodeRequest, EpisodeEvent, RoundRecord, Trajectory } from '../../core';
import type { AppStore } from './appStore';
import type { TrajectorySource } from './trajectorySlice';

export async function runEpisodeIntoStore(
  engine: Engine,
  store: AppStore,
  req: EngineEpisodeRequest,
  source: TrajectorySource,
  opts: { signal?: AbortSignal } = {},
): Promise<Trajectory | null> {
  const s = store.getState;
  s().beginLoad(source);
  s().episodeStarting(req.episode.id);
  const follow = source === 'live';
  let t: Trajectory | null = null;
  try {
    for await (const event of engine.runEpisode(req, opts)) {
      if (opts.signal?.aborted === true && event.type !== 'episode.finished') continue;
      t = applyEvent(store, t, event, source, follow);
    }
  } catch (err) {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    if (t === null) s().failLoad(message);
    s().episodeEnded(message);
  }
  return t;
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
