/** View flags that are not part of the trajectory: which optional panels are open. */
import type { StateCreator } from 'zustand/vanilla';
import type { AppState } from './appStore';

export interface UiSlice {
  /** The full prompt (user message) view. */
  promptOpen: boolean;
  /** Show each round's raw generation (before the cut at the first </search> / </answer>). */
  rawTextShown: boolean;
  togglePrompt(): void;
  toggleRawText(): void;
}

export const createUiSlice: StateCreator<AppState, [], [], UiSlice> = (set, get) => ({
  promptOpen: false,
  rawTextShown: false,
  togglePrompt: () => set({ promptOpen: !get().promptOpen }),
  toggleRawText: () => set({ rawTextShown: !get().rawTextShown }),
});
