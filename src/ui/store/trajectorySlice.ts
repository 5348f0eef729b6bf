/**
 * The loaded trajectory and where it came from. Writes only its own keys; a newly loaded trajectory
 * rewinds the cursor through the cursor slice's own action.
 */
import type { StateCreator } from 'zustand/vanilla';
import type { Trajectory } from '../../core';
import type { AppState } from './appStore';

/** 'example': the project-built, scripted example (no model). 'imported': any other recorded trajectory. */
export type TrajectorySource = 'example' | 'imported';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'failed';

export interface TrajectorySlice {
  trajectory: Trajectory | null;
  source: TrajectorySource | null;
  loadStatus: LoadStatus;
  loadError: string | null;
  beginLoad(source: TrajectorySource): void;
  loadTrajectory(trajectory: Trajectory, source: TrajectorySource): void;
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
  failLoad: (message) => set({ loadStatus: 'failed', loadError: message }),
});
