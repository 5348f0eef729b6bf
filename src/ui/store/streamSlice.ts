/**
 * The round being written: the policy's streamed text for the current round (batched per animation
 * frame by bindEngine), and forks: the branch a fork started from, shown beside the new one.
 */
import type { StateCreator } from 'zustand/vanilla';
import type { Trajectory } from '../../core';
import type { AppState } from './appStore';

export interface StreamingRound {
  roundIndex: number;
  text: string;
  tokens: number;
}

export interface ForkState {
  /** The branch the fork started from (as it was), and the round that was edited. */
  base: Trajectory;
  roundIndex: number;
  /** The fork's episode id (its trajectory is the shown one while it is the current episode). */
  episodeId: string;
}

export interface StreamSlice {
  streaming: StreamingRound | null;
  fork: ForkState | null;
  /** Which finished round the fork editor is open on. */
  forkEditorRound: number | null;
  streamStarted(roundIndex: number): void;
  streamAppended(roundIndex: number, text: string, tokens: number): void;
  streamEnded(): void;
  setFork(fork: ForkState | null): void;
  openForkEditor(roundIndex: number | null): void;
}

export const createStreamSlice: StateCreator<AppState, [], [], StreamSlice> = (set, get) => ({
  streaming: null,
  fork: null,
  forkEditorRound: null,
  streamStarted: (roundIndex) => set({ streaming: { roundIndex, text: '', tokens: 0 } }),
  streamAppended: (roundIndex, text, tokens) => {
    const cur = get().streaming;
    const base = cur !== null && cur.roundIndex === roundIndex ? cur : { roundIndex, text: '', tokens: 0 };
    set({ streaming: { roundIndex, text: base.text + text, tokens: base.tokens + tokens } });
  },
  streamEnded: () => set({ streaming: null }),
  setFork: (fork) => set({ fork }),
  openForkEditor: (forkEditorRound) => set({ forkEditorRound }),
});
