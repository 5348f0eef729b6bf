/**
 * The shown trajectory and where it came from. Writes only its own keys; a new trajectory rewinds the
 * cursor, and a live update moves it to the new end when it was at the end (it follows a running episode).
 */
import type { StateCreator } from 'zustand/vanilla';
import type { Trajectory } from '../../core';
import type { AppState } from './appStore';
import { selectTotalSteps } from './steps';

/** 'example': the project-built, scripted example (no model). 'imported': a recorded file. 'live': an episode played here. 'shared': opened from a share link. 'demo': from the demo gallery. */
export type TrajectorySource = 'example' | 'imported' | 'live' | 'shared' | 'demo';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'failed';

export interface TrajectorySlice {
  trajectory: Trajectory | null;
  source: TrajectorySource | null;
  loadStatus: LoadStatus;
  loadError: string | null;
  beginLoad(source: TrajectorySource): void;
  loadTrajectory(trajectory: Trajectory, source: TrajectorySource): void;
  /** The same episode, further along; `follow`: keep the cursor at the end if it was there. */
  updateTrajectory(trajectory: Trajectory, follow: boolean): void;
  failLoad(message: string): void;
}

export const createTrajectorySlice: StateCreator<AppState, [], [], TrajectorySlice> = (set, get) => ({
  trajectory: null,
  source: null,
  loadStatus: 'idle',
  loadError: null,
  beginLoad: (source) => set({ source, loadStatus: 'loading', loadError: null }),
  loadTrajectory: (trajectory, source) => {
    set({ trajectory, source, loadStatus: 'ready', loadError: null });
    get().stepToStart();
  },
  updateTrajectory: (trajectory, follow) => {
    const wasAtEnd = get().revealed >= selectTotalSteps(get());
    set({ trajectory });
    if (follow && wasAtEnd) get().stepToEnd();
    else get().stepTo(get().revealed);
  },
  failLoad: (message) => set({ loadStatus: 'failed', loadError: message }),
});
