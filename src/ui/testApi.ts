/**
 * window.__routerTestApi: a typed handle for end-to-end tests (tldraw's EndToEndApi pattern). It reads
 * and drives the store; it never reaches an engine.
 *
 * Installed when the build is not a production build (`vite` dev server, vitest), or when the page URL
 * carries `?testApi=1`. The flag exists because e2e runs against the built app (`vite build`, production
 * mode); a user who never adds it never gets the handle. It exposes only what the UI already shows.
 */
import type { EvalRow, EvalSummary, LoadedModelInfo, RewardBreakdown, Trajectory } from '../core';
import type { AppStore } from './store/appStore';
import { chartPointCount, hasValueLoss, TRAIN_CHART_IDS, VALUE_LOSS_CHART } from './components/charts/trainCharts';
import { selectCurrentStep, selectIsAtEnd, selectRevealedRoundCount, selectTotalSteps, type StepRef } from './store/steps';
import type { LoadStatus, TrajectorySource } from './store/trajectorySlice';
import type { AwaitedTurn, EpisodePhase } from './store/episodeSlice';
import type { PolicyMode } from './store/setupSlice';

export const TEST_API_QUERY_FLAG = 'testApi';

/** A plain-data view of the store (it crosses page.evaluate as JSON). */
export interface AppSnapshot {
  loadStatus: LoadStatus;
  loadError: string | null;
  source: TrajectorySource | null;
  trajectoryId: string | null;
  question: string | null;
  rounds: number;
  revealed: number;
  totalSteps: number;
  currentStep: StepRef | null;
  revealedRounds: number;
  atEnd: boolean;
  reward: RewardBreakdown | null;
  /** The running episode: phase, the turn a human policy waits for, and a stopping error. */
  phase: EpisodePhase;
  awaitedTurn: AwaitedTurn | null;
  episodeError: string | null;
  /** Questions loaded per dataset ('offline' = the offline pool's bank). */
  questionCounts: Record<string, number>;
  /** Who drives the next episode, and what opening a share link did. */
  mode: PolicyMode;
  linkNotice: string | null;
  linkError: string | null;
  evaluationRows: number;
  /** α of the next episode, and the pool's preset ('offline': the offline pool). */
  alpha: number;
  poolPreset: string;
  /** The embedded default policies: the index's variants, the selected one (null: another model is), why the default did not open. */
  embedded: { variants: string[] | null; variant: string | null; error: string | null };
  /** The model policy: load status (and error), the loaded model's plain-data info, the round being streamed. */
  modelLoad: { status: string; error: string | null };
  model: LoadedModelInfo | null;
  streaming: { roundIndex: number; chars: number; tokens: number } | null;
  /** The fork being compared: its base episode id and round, and whether its branch is the shown one. */
  fork: { baseId: string; roundIndex: number; episodeId: string } | null;
  /** The Train view: run status and step, the device, points per chart (`series[chartId]`), stored checkpoints. */
  training: {
    status: string;
    runId: string | null;
    step: number;
    totalSteps: number;
    error: string | null;
    deviceEp: string | null;
    points: number;
    series: Record<string, number>;
    sampleSteps: number;
    checkpoints: { id: string; runId: string; step: number; reason: string }[];
    selectedCheckpoint: string | null;
  };
  /** The Evaluation view: run status, progress, rows so far, the selected method, why it stopped. */
  evaluation: { open: boolean; status: string; done: number; total: number; rows: number; selectedMethod: string | null; error: string | null; resumable: boolean; history: number };
}

/** One change of the streamed round, as the store saw it (recorded from install; subscribe before you act). */
export interface StreamSample {
  roundIndex: number;
  chars: number;
  tokens: number;
  /** Rounds recorded in the trajectory at that moment (the streamed one is not among them yet). */
  rounds: number;
}

export interface AppTestApi {
  readonly version: 1;
  getState(): AppSnapshot;
  getTrajectory(): Trajectory | null;
  /** Reveal exactly n sub-steps (clamped to [0, total]). */
  stepTo(n: number): AppSnapshot;
  stepToStart(): AppSnapshot;
  stepToEnd(): AppSnapshot;
  /** Show another recorded trajectory (source 'imported'). */
  loadTrajectory(trajectory: Trajectory): AppSnapshot;
  /** Resolves once the first trajectory is loaded or failed. */
  whenLoaded(): Promise<AppSnapshot>;
  /** Every change of the streamed round since install (or the last clear), oldest first. */
  streamSamples(): StreamSample[];
  clearStreamSamples(): void;
  /** The evaluation summary shown (the last finished run), and its rows. */
  getEvalSummary(): EvalSummary | null;
  getEvalRows(): EvalRow[];
}

declare global {
  interface Window {
    __routerTestApi?: AppTestApi;
  }
}

export function shouldInstallTestApi(mode: string, search: string): boolean {
  return mode !== 'production' || new URLSearchParams(search).get(TEST_API_QUERY_FLAG) === '1';
}

export function snapshot(store: AppStore): AppSnapshot {
  const s = store.getState();
  return {
    loadStatus: s.loadStatus,
    loadError: s.loadError,
    source: s.source,
    trajectoryId: s.trajectory?.id ?? null,
    question: s.trajectory?.question.text ?? null,
    rounds: s.trajectory?.rounds.length ?? 0,
    revealed: s.revealed,
    totalSteps: selectTotalSteps(s),
    currentStep: selectCurrentStep(s),
    revealedRounds: selectRevealedRoundCount(s),
    atEnd: selectIsAtEnd(s),
    reward: s.trajectory?.reward ?? null,
    phase: s.phase,
    awaitedTurn: s.awaitedTurn,
    episodeError: s.episodeError,
    questionCounts: Object.fromEntries(Object.entries(s.questionLists).map(([k, l]) => [k, l.status === 'ready' ? l.items.length : 0])),
    mode: s.mode,
    linkNotice: s.linkNotice,
    linkError: s.linkError,
    evaluationRows: s.evaluation?.rows.length ?? 0,
    alpha: s.runConfig.alpha,
    poolPreset: s.presetId,
    embedded: { variants: s.embeddedIndex.status === 'ready' ? s.embeddedIndex.index.variants.map((v) => v.name) : null, variant: s.embeddedVariant, error: s.embeddedError },
    modelLoad: { status: s.modelLoad.status, error: s.modelLoad.status === 'failed' ? s.modelLoad.error : null },
    model: s.modelInfo,
    streaming: s.streaming === null ? null : { roundIndex: s.streaming.roundIndex, chars: s.streaming.text.length, tokens: s.streaming.tokens },
    fork: s.fork === null ? null : { baseId: s.fork.base.id, roundIndex: s.fork.roundIndex, episodeId: s.fork.episodeId },
    training: {
      status: s.trainStatus,
      runId: s.trainRunId,
      step: s.trainStep,
      totalSteps: s.trainTotalSteps,
      error: s.trainError,
      deviceEp: s.trainDevice?.report.ep ?? null,
      points: s.trainPoints.length,
      series: Object.fromEntries([...TRAIN_CHART_IDS, ...(hasValueLoss(s.trainPoints) ? [VALUE_LOSS_CHART.id] : [])].map((id) => [id, chartPointCount(s.trainPoints, id)])),
      sampleSteps: s.trainSamples.length,
      checkpoints: s.trainCheckpoints.map((c) => ({ id: c.id, runId: c.runId, step: c.step, reason: c.reason })),
      selectedCheckpoint: s.trainSelectedCheckpoint,
    },
    evaluation: {
      open: s.evalViewOpen,
      status: s.evalStatus,
      done: s.evalProgress?.done ?? 0,
      total: s.evalProgress?.total ?? 0,
      rows: s.evalRows.length,
      selectedMethod: s.evalSelectedMethod,
      error: s.evalError,
      resumable: s.evalResumable !== null,
      history: s.evalHistory.length,
    },
  };
}

/** At most this many samples are kept (a long generation must not grow the page's memory without bound). */
const MAX_STREAM_SAMPLES = 2000;

export function createTestApi(store: AppStore): AppTestApi {
  const settled = (): boolean => ['ready', 'failed'].includes(store.getState().loadStatus);
  const samples: StreamSample[] = [];
  store.subscribe((next, prev) => {
    if (next.streaming === prev.streaming || next.streaming === null) return;
    if (samples.length >= MAX_STREAM_SAMPLES) samples.shift();
    samples.push({ roundIndex: next.streaming.roundIndex, chars: next.streaming.text.length, tokens: next.streaming.tokens, rounds: next.trajectory?.rounds.length ?? 0 });
  });
  return {
    streamSamples: () => samples.slice(),
    clearStreamSamples: () => void samples.splice(0),
    version: 1,
    getState: () => snapshot(store),
    getTrajectory: () => store.getState().trajectory,
    getEvalSummary: () => store.getState().evalSummary,
    getEvalRows: () => store.getState().evalRows,
    stepTo: (n) => (store.getState().stepTo(n), snapshot(store)),
    stepToStart: () => (store.getState().stepToStart(), snapshot(store)),
    stepToEnd: () => (store.getState().stepToEnd(), snapshot(store)),
    loadTrajectory: (t) => (store.getState().loadTrajectory(t, 'imported'), snapshot(store)),
    whenLoaded: () =>
      new Promise((resolve) => {
        if (settled()) return resolve(snapshot(store));
        const unsubscribe = store.subscribe(() => {
          if (!settled()) return;
          unsubscribe();
          resolve(snapshot(store));
        });
      }),
  };
}

export function installTestApi(store: AppStore, target: Window): AppTestApi {
  const api = createTestApi(store);
  target.__routerTestApi = api;
  return api;
}
