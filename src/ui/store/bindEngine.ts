/**
 * The only place engine events become state (STYLE.md principle 10). For now an episode is shown once
 * it has finished (the example is a recorded run); live per-token streaming arrives with the policy
 * runtime and will batch events per animation frame here.
 */
import type { Engine, EngineEpisodeRequest } from '../../core';
import type { AppStore } from './appStore';
import type { TrajectorySource } from './trajectorySlice';

export async function runEpisodeIntoStore(
  engine: Engine,
  store: AppStore,
  req: EngineEpisodeRequest,
  source: TrajectorySource,
  opts: { signal?: AbortSignal } = {},
): Promise<void> {
  store.getState().beginLoad(source);
  try {
    for await (const event of engine.runEpisode(req, opts)) {
      switch (event.type) {
        case 'episode.finished':
          if (event.trajectory.status === 'failed') store.getState().failLoad(event.trajectory.error ?? 'The episode failed.');
          else store.getState().loadTrajectory(event.trajectory, source);
          break;
        default:
          break;
      }
    }
  } catch (err) {
    store.getState().failLoad(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  }
}
