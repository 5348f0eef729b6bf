/**
 * The step cursor: how many sub-steps of the trajectory are revealed (0 = only the question, total =
 * everything, reward included). Writes only `revealed`; reads the trajectory to clamp.
 */
import type { StateCreator } from 'zustand/vanilla';
import type { AppState } from './appStore';
import { selectTotalSteps } from './steps';

export interface CursorSlice {
  /** Number of revealed sub-steps, in [0, total]. */
  revealed: number;
  stepTo(revealed: number): void;
  stepForward(): void;
  stepBack(): void;
  stepToStart(): void;
  stepToEnd(): void;
}

export const createCursorSlice: StateCreator<AppState, [], [], CursorSlice> = (set, get) => {
  const clamp = (n: number): number => Math.min(Math.max(0, Math.trunc(n)), selectTotalSteps(get()));
  return {
    revealed: 0,
    stepTo: (n) => set({ revealed: clamp(n) }),
    stepForward: () => set({ revealed: clamp(get().revealed + 1) }),
    stepBack: () => set({ revealed: clamp(get().revealed - 1) }),
    stepToStart: () => set({ revealed: 0 }),
    stepToEnd: () => set({ revealed: selectTotalSteps(get()) }),
  };
};
