/**
 * The running episode as the engine reports it: which phase it is in, the turn a human policy is asked
 * for, the model being called, and the error that stopped it. Written only from engine events (bindEngine)
 * and the turn composer's submit state.
 */
import type { StateCreator } from 'zustand/vanilla';
import type { AppState } from './appStore';

export type EpisodePhase = 'idle' | 'starting' | 'generating' | 'calling' | 'finished' | 'failed';

export interface AwaitedTurn {
  roundIndex: number;
  routingEnabled: boolean;
  contextTokens: number;
}

export interface EpisodeSlice {
  episodeId: string | null;
  phase: EpisodePhase;
  /** Set while the policy is asked for a turn (a human policy waits for the composer). */
  awaitedTurn: AwaitedTurn | null;
  /** The model being called right now. */
  calling: string | null;
  /** Why the episode could not run or the turn was refused (shown where the user is looking). */
  episodeError: string | null;
  submitting: boolean;
  episodeStarting(id: string): void;
  turnAwaited(turn: AwaitedTurn): void;
  turnGenerated(): void;
  callStarted(modelName: string): void;
  callEnded(): void;
  episodeEnded(error: string | null): void;
  setSubmitting(on: boolean, error?: string | null): void;
}

export const createEpisodeSlice: StateCreator<AppState, [], [], EpisodeSlice> = (set) => ({
  episodeId: null,
  phase: 'idle',
  awaitedTurn: null,
  calling: null,
  episodeError: null,
  submitting: false,
  episodeStarting: (id) => set({ episodeId: id, phase: 'starting', awaitedTurn: null, calling: null, episodeError: null, submitting: false }),
  turnAwaited: (turn) => set({ phase: 'generating', awaitedTurn: turn, calling: null }),
  turnGenerated: () => set({ awaitedTurn: null, submitting: false }),
  callStarted: (modelName) => set({ phase: 'calling', calling: modelName }),
  callEnded: () => set({ calling: null }),
  episodeEnded: (error) => set({ phase: error === null ? 'finished' : 'failed', awaitedTurn: null, calling: null, episodeError: error, submitting: false }),
  setSubmitting: (on, error) => set(error === undefined ? { submitting: on } : { submitting: on, episodeError: error }),
});
