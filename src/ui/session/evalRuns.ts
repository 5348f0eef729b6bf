/**
 * The episodes of this page's evaluation runs. The Pareto plot keeps points of earlier runs (one per α
 * and limits), so each run's trajectories are kept with that run (found by its summary, the object the
 * store holds) for the last KEPT_EVAL_RUNS runs on the plot; a point of an earlier run opens that run's
 * episodes, and a point whose run is no longer kept says so (store: evalKeptRuns) instead of opening
 * another run's episode. Trajectories of episodes run before a reload are not kept (their rows are).
 * Must not: run evaluations or hold more than KEPT_EVAL_RUNS runs.
 */
import type { EvalRow, EvalSummary, Trajectory } from '../../core';
import type { AppStore } from '../store/appStore';

/** How many runs keep their trajectories (the current one included), so memory stays bounded. */
export const KEPT_EVAL_RUNS = 4;

/** One run's episodes: its rows and trajectories as they arrive, and its summary once it has one. */
export interface RunEpisodes {
  summary: EvalSummary | null;
  rows: EvalRow[];
  trajectories: Map<string, Trajectory>;
}

const emptyRun = (): RunEpisodes => ({ summary: null, rows: [], trajectories: new Map() });
const episodeKey = (method: string, qi: number): string => `${method}|${qi}`;

export function createEvalRuns(store: AppStore) {
  const s = store.getState;
  /** The run in progress or last run (a paused run resumes into it), and earlier runs still on the plot, oldest first. */
  let current = emptyRun();
  let earlier: RunEpisodes[] = [];

  /** Drop earlier runs whose point left the plot (a rerun at the same α replaces it), keep the last few, tell the store. */
  function syncKeptRuns(): void {
    const plotted = new Set<EvalSummary>(s().evalHistory);
    earlier = earlier.filter((r) => r.summary !== null && plotted.has(r.summary) && r.summary !== current.summary).slice(-(KEPT_EVAL_RUNS - 1));
    const kept = [...earlier, current].flatMap((r) => (r.summary === null ? [] : [r.summary]));
    s().setEvalKeptRuns(kept);
  }

  /**
   * A new run (not a resume): the last run joins the earlier ones while its summary is on the plot (a
   * run that never finished has no point to open it from); at most KEPT_EVAL_RUNS runs are kept.
   */
  function beginRun(): void {
    if (current.summary !== null && current.trajectories.size > 0) earlier.push(current);
    current = emptyRun();
    syncKeptRuns();
  }

  return {
    current: (): RunEpisodes => current,
    beginRun,
    /** A resume continues the saved run's episodes (a run from storage or a file starts an empty record). */
    resumeRun(run: RunEpisodes | null): void {
      if (run === current) return;
      beginRun();
      if (run !== null) {
        earlier = earlier.filter((r) => r !== run);
        current = run;
        syncKeptRuns();
      }
    },
    /** An episode of the current run. */
    keepEpisode(method: string, questionIndex: number, row: EvalRow, trajectory: Trajectory): void {
      current.trajectories.set(episodeKey(method, questionIndex), trajectory);
      current.rows.push(row);
    },
    /** The current run ended with this summary (its point is on the plot now). */
    finishRun(summary: EvalSummary): void {
      current.summary = summary;
      syncKeptRuns();
    },
    /** The kept run of a plot point's summary (none: the current run); null when its episodes are no longer kept. */
    runOf(summary: EvalSummary | undefined): RunEpisodes | null {
      if (summary === undefined || summary === current.summary) return current;
      return earlier.find((r) => r.summary === summary) ?? null;
    },
    trajectoryOf: (run: RunEpisodes, method: string, questionIndex: number): Trajectory | undefined => run.trajectories.get(episodeKey(method, questionIndex)),
  };
}

export type EvalRuns = ReturnType<typeof createEvalRuns>;
