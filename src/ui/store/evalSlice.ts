/**
 * The Evaluation view's state: the settings of the next run (methods, dataset, limit, α, max
 * calls and spend per question, seed), the run in progress (status, progress with ETA and running
 * metrics, rows as they arrive), the finished summaries (this run, earlier runs of the same questions
 * for the Pareto plot, a sweep's curve), a cost estimate waiting for confirmation, and a saved state to
 * resume. Plain data only: the trajectories stay with the eval actions (src/ui/session/evalActions.ts).
 */
import type { StateCreator } from 'zustand/vanilla';
import type { EmbeddedIndex, EvalRow, EvalSummary, RunEstimate, RunningMetrics } from '../../core';
import type { AppState } from './appStore';

/** 'offline-heldout': the offline pool's held-out split (the default); 'offline': the whole bank; else a QA set id. */
export type EvalDatasetChoice = string;

export interface EvalSettings {
  /**
   * Method ids, as core's methodId names them: single:<model>, random, cheapest, largest, cascade,
   * oracle, teacher (α 0), teacher:<α>, policy:loaded (the loaded model), policy:<embedded variant>.
   */
  methods: string[];
  dataset: EvalDatasetChoice;
  /** Questions from the start of the dataset (after the split). */
  limit: number;
  alpha: number;
  maxCalls: number | null;
  maxSpendUsd: number | null;
  seed: number;
}

export type EvalRunStatus = 'idle' | 'estimating' | 'confirming' | 'running' | 'pausing' | 'paused' | 'completed' | 'cancelled' | 'failed';

export interface EvalProgress {
  done: number;
  total: number;
  elapsedMs: number;
  etaMs: number | null;
  running: Record<string, RunningMetrics>;
}

/** A sweep: one summary per grid value, drawn as a curve on the Pareto plot. */
export interface EvalSweep {
  /** What varies: 'alpha' for the policy method, 'maxCalls' for the cascade. */
  parameter: 'alpha' | 'maxCalls';
  method: string;
  points: { value: number; summary: EvalSummary }[];
  status: 'running' | 'done' | 'failed';
}

/**
 * An earlier run whose episodes are listed (a point of the Pareto plot from an earlier run): its summary
 * (the same object as in evalHistory) and its rows. Null: the episodes listed are the current run's.
 */
export interface EvalSelectedRun {
  summary: EvalSummary;
  rows: EvalRow[];
}

/** A run whose state is saved (this session or before a reload) and can be resumed. */
export interface EvalResumable {
  runId: string;
  done: number;
  total: number;
  status: 'paused' | 'cancelled';
  reason: string | null;
}

export const DEFAULT_EVAL_SETTINGS: EvalSettings = {
  methods: ['random', 'cheapest', 'largest', 'cascade', 'oracle'],
  dataset: 'offline-heldout', // the questions training never sees (core/eval/heldOut.ts)
  limit: 20, // a quick first run; the held-out split has 208
  alpha: 0, // the paper's main experiments
  maxCalls: null,
  maxSpendUsd: null,
  seed: 42, // the CLI's default, so both give the same numbers
};

/**
 * The embedded policies (public/models/embedded.json) offered as methods; 'failed' keeps why.
 * `warmups`: each variant's weights before RL (embedded.json `warmups`), offered as baselines; absent
 * when the index lists none.
 */
export type EvalEmbeddedVariants =
  | { status: 'idle' | 'loading' }
  | { status: 'ready'; variants: EmbeddedIndex['variants']; warmups?: NonNullable<EmbeddedIndex['warmups']> }
  | { status: 'failed'; error: string };

export interface EvalSlice {
  evalViewOpen: boolean;
  evalEmbedded: EvalEmbeddedVariants;
  evalSettings: EvalSettings;
  evalStatus: EvalRunStatus;
  /** Why the run stopped or could not start (a provider failure, the spending cap, bad input). */
  evalError: string | null;
  evalEstimate: RunEstimate | null;
  evalProgress: EvalProgress | null;
  evalRows: EvalRow[];
  evalSummary: EvalSummary | null;
  /** Completed runs on the same questions, oldest first (the Pareto plot's points per α). */
  evalHistory: EvalSummary[];
  evalSweep: EvalSweep | null;
  evalSelectedMethod: string | null;
  /** The earlier run whose episodes are listed, or null for the current run's (evalRows). */
  evalSelectedRun: EvalSelectedRun | null;
  /**
   * The runs whose trajectories this page still holds (summaries, the same objects as in evalHistory
   * and evalSummary; the eval actions keep the last few runs): a plot point of another run cannot open
   * its episodes and says so.
   */
  evalKeptRuns: EvalSummary[];
  evalResumable: EvalResumable | null;
  /** "Share": a link to the summary (the share link's evaluation kind), or why there is none. */
  evalShare: { url: string } | { error: string } | null;
  openEvalView(open: boolean): void;
  setEvalEmbedded(embedded: EvalEmbeddedVariants): void;
  setEvalSettings(patch: Partial<EvalSettings>): void;
  toggleEvalMethod(method: string, on: boolean): void;
  evalEstimating(): void;
  evalConfirming(estimate: RunEstimate): void;
  evalStarted(progress: EvalProgress, rows: EvalRow[]): void;
  evalAdvanced(rows: EvalRow[], progress: EvalProgress | null): void;
  evalPausing(): void;
  evalFinished(status: 'completed' | 'paused' | 'cancelled', summary: EvalSummary, reason: string | null): void;
  evalFailed(error: string): void;
  setEvalSweep(sweep: EvalSweep | null): void;
  selectEvalMethod(method: string | null): void;
  selectEvalRun(run: EvalSelectedRun | null): void;
  setEvalKeptRuns(runs: EvalSummary[]): void;
  setEvalResumable(r: EvalResumable | null): void;
  setEvalShare(share: EvalSlice['evalShare']): void;
}

/** Same α and limits: a rerun replaces the earlier point instead of adding one. */
const sameSettings = (a: EvalSummary, b: EvalSummary): boolean => a.alpha === b.alpha && a.limits.maxCalls === b.limits.maxCalls && a.limits.maxSpendUsd === b.limits.maxSpendUsd;

export const createEvalSlice: StateCreator<AppState, [], [], EvalSlice> = (set, get) => ({
  evalViewOpen: false,
  evalEmbedded: { status: 'idle' },
  evalSettings: DEFAULT_EVAL_SETTINGS,
  evalStatus: 'idle',
  evalError: null,
  evalEstimate: null,
  evalProgress: null,
  evalRows: [],
  evalSummary: null,
  evalHistory: [],
  evalSweep: null,
  evalSelectedMethod: null,
  evalSelectedRun: null,
  evalKeptRuns: [],
  evalResumable: null,
  evalShare: null,
  openEvalView: (evalViewOpen) => set({ evalViewOpen }),
  setEvalEmbedded: (evalEmbedded) => set({ evalEmbedded }),
  setEvalSettings: (patch) => {
    const next = { ...get().evalSettings, ...patch };
    // Other questions: earlier runs are no longer comparable on one plot.
    const sameQuestions = next.dataset === get().evalSettings.dataset && next.limit === get().evalSettings.limit;
    set({ evalSettings: next, ...(sameQuestions ? {} : { evalHistory: [], evalSweep: null }) });
  },
  toggleEvalMethod: (method, on) => {
    const methods = get().evalSettings.methods.filter((m) => m !== method);
    set({ evalSettings: { ...get().evalSettings, methods: on ? [...methods, method] : methods } });
  },
  evalEstimating: () => set({ evalStatus: 'estimating', evalError: null, evalEstimate: null }),
  evalConfirming: (evalEstimate) => set({ evalStatus: 'confirming', evalEstimate }),
  evalStarted: (evalProgress, evalRows) => set({ evalStatus: 'running', evalError: null, evalEstimate: null, evalProgress, evalRows, evalSummary: null, evalSelectedMethod: null, evalSelectedRun: null, evalResumable: null }),
  evalAdvanced: (rows, progress) => set({ evalRows: [...get().evalRows, ...rows], ...(progress === null ? {} : { evalProgress: progress }) }),
  evalPausing: () => {
    if (get().evalStatus === 'running') set({ evalStatus: 'pausing' });
  },
  evalFinished: (status, summary, reason) =>
    set({
      evalStatus: status,
      evalSummary: summary,
      evalError: reason,
      ...(status === 'completed' ? { evalHistory: [...get().evalHistory.filter((h) => !sameSettings(h, summary)), summary] } : {}),
    }),
  evalFailed: (evalError) => set({ evalStatus: 'failed', evalError }),
  setEvalSweep: (evalSweep) => set({ evalSweep }),
  selectEvalMethod: (evalSelectedMethod) => set({ evalSelectedMethod }),
  selectEvalRun: (evalSelectedRun) => set({ evalSelectedRun }),
  setEvalKeptRuns: (evalKeptRuns) => set({ evalKeptRuns }),
  setEvalResumable: (evalResumable) => set({ evalResumable }),
  setEvalShare: (evalShare) => set({ evalShare }),
});
