/**
 * The demo gallery in the store: the parsed gallery file (or why there is none), and the α comparison
 * shown beside the timeline while its first run is the shown trajectory. Plain data only.
 */
import type { StateCreator } from 'zustand/vanilla';
import type { DemoGallery, DemoRun } from '../../core';
import type { AppState } from './appStore';

export type DemoGalleryState =
  /** No gallery reader (tests, embedding without the static file). */
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'ready'; gallery: DemoGallery }
  | { status: 'failed'; error: string };

/** Two runs of one question side by side; `left` is the one in the timeline. */
export interface DemoComparison {
  entryId: string;
  left: DemoRun;
  right: DemoRun;
}

export interface DemoSlice {
  demoGallery: DemoGalleryState;
  demoComparison: DemoComparison | null;
  setDemoGallery(state: DemoGalleryState): void;
  setDemoComparison(comparison: DemoComparison | null): void;
}

export const createDemoSlice: StateCreator<AppState, [], [], DemoSlice> = (set) => ({
  demoGallery: { status: 'idle' },
  demoComparison: null,
  setDemoGallery: (demoGallery) => set({ demoGallery }),
  setDemoComparison: (demoComparison) => set({ demoComparison }),
});
