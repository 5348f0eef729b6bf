/**
 * Share links and bundles in the store: the run settings a configuration carries beyond the question
 * and pool (policy, α, sampling, limits, environment settings, the sender's data root), what opening a
 * link did (a notice, or an error that leaves the app usable), a link that waits for the user's
 * consent, an opened evaluation summary, and the result of "Share". Plain data only, never a key.
 */
import type { StateCreator } from 'zustand/vanilla';
import { DEFAULT_SHARE_CONFIG, type EvaluationSummary, type ShareConfig, type ShareState } from '../../core';
import type { AppState } from './appStore';

/** The parts of a ShareConfig that no other slice holds (question: setup slice; pool: pool slice). */
export type RunConfig = Omit<ShareConfig, 'pool' | 'question'>;

export const DEFAULT_RUN_CONFIG: RunConfig = (({ pool: _p, question: _q, ...rest }) => rest)(DEFAULT_SHARE_CONFIG);

export type ShareOutcome =
  | { status: 'link'; url: string; copied: boolean; kind: 'trajectory' | 'config' }
  /** Over the link limit: the UI offers the bundle file instead. */
  | { status: 'too-long'; length: number }
  | { status: 'failed'; message: string };

export interface ShareSlice {
  runConfig: RunConfig;
  /** What an opened link or bundle did (dismissible). */
  linkNotice: string | null;
  /** Why a link or bundle could not be opened (dismissible; nothing else changed). */
  linkError: string | null;
  /** A link opened over an edited session: applied only after the user says so. */
  pendingLink: ShareState | null;
  evaluation: EvaluationSummary | null;
  shareOutcome: ShareOutcome | null;
  /** Why "Export JSON" of the shown trajectory saved nothing (e.g. a key in a shared field); null after a save. */
  trajectoryExportError: string | null;
  setRunConfig(config: RunConfig): void;
  linkOpened(notice: string): void;
  linkFailed(error: string): void;
  dismissLink(): void;
  setPendingLink(state: ShareState | null): void;
  showEvaluation(evaluation: EvaluationSummary | null): void;
  setShareOutcome(outcome: ShareOutcome | null): void;
  setTrajectoryExportError(error: string | null): void;
}

export const createShareSlice: StateCreator<AppState, [], [], ShareSlice> = (set) => ({
  runConfig: DEFAULT_RUN_CONFIG,
  linkNotice: null,
  linkError: null,
  pendingLink: null,
  evaluation: null,
  shareOutcome: null,
  trajectoryExportError: null,
  setRunConfig: (runConfig) => set({ runConfig }),
  linkOpened: (linkNotice) => set({ linkNotice, linkError: null, pendingLink: null }),
  linkFailed: (linkError) => set({ linkError, linkNotice: null, pendingLink: null }),
  dismissLink: () => set({ linkError: null, linkNotice: null, pendingLink: null }),
  setPendingLink: (pendingLink) => set({ pendingLink }),
  showEvaluation: (evaluation) => set({ evaluation }),
  setShareOutcome: (shareOutcome) => set({ shareOutcome }),
  setTrajectoryExportError: (trajectoryExportError) => set({ trajectoryExportError }),
});
