/**
 * The app store: vanilla zustand, one slice per concern, a fresh store per call (one per test).
 * Holds plain data only: no engines, workers, sessions or keys.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { createCursorSlice, type CursorSlice } from './cursorSlice';
import { createDemoSlice, type DemoSlice } from './demoSlice';
import { createEpisodeSlice, type EpisodeSlice } from './episodeSlice';
import { createPoolSlice, type PoolSlice } from './poolSlice';
import { createSetupSlice, type SetupSlice } from './setupSlice';
import { createShareSlice, type ShareSlice } from './shareSlice';
import { createTrajectorySlice, type TrajectorySlice } from './trajectorySlice';
import { createUiSlice, type UiSlice } from './uiSlice';
import { createModelSlice, type ModelSlice } from './modelSlice';
import { createStreamSlice, type StreamSlice } from './streamSlice';
import { createEvalSlice, type EvalSlice } from './evalSlice';
import { createTrainSlice, type TrainSlice } from './trainSlice';

export type AppState = TrajectorySlice & CursorSlice & UiSlice & EpisodeSlice & SetupSlice & PoolSlice & ShareSlice & ModelSlice & StreamSlice & EvalSlice & TrainSlice & DemoSlice;
export type AppStore = StoreApi<AppState>;

export function createAppStore(): AppStore {
  return createStore<AppState>()((...a) => ({
    ...createTrajectorySlice(...a),
    ...createCursorSlice(...a),
    ...createUiSlice(...a),
    ...createEpisodeSlice(...a),
    ...createSetupSlice(...a),
    ...createPoolSlice(...a),
    ...createShareSlice(...a),
    ...createModelSlice(...a),
    ...createStreamSlice(...a),
    ...createEvalSlice(...a),
    ...createTrainSlice(...a),
    ...createDemoSlice(...a),
  }));
}
