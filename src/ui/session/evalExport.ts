/**
 * What leaves the Evaluate view: the rows as CSV, this page's trajectories of the run as JSONL, a saved
 * run as a state file, and a share link to the summary (the evaluation kind of share links; never a
 * key). Must not: run evaluations or change what is shown (only the share result is written).
 */
import { buildShareUrl, rowsToCsv, toEvaluationSummary, trajectoriesToJsonl, type ShareConfig, type Trajectory } from '../../core';
import type { AppStore } from '../store/appStore';
import { exportFile, type SaveFile } from './exportFile';
import type { EvalRuns } from './evalRuns';
import type { SavedEval } from './evalSaved';

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export interface EvalExportDeps {
  store: AppStore;
  runs: EvalRuns;
  /** The setup a share link carries (pool, α, sampling, …), for "Share". */
  currentConfig: () => ShareConfig;
  keys: () => Record<string, string>;
  saveFile: SaveFile;
}

export function createEvalExports(d: EvalExportDeps) {
  const s = d.store.getState;
  const fileStem = (): string => s().evalSummary?.runId ?? 'evaluation';
  /** Every file goes through the secret check; a refusal is shown where the share result is. */
  const save = (fileName: string, text: string, type: string): void => {
    try {
      exportFile(d.saveFile, d.keys(), fileName, text, type);
    } catch (err) {
      s().setEvalShare({ error: message(err) });
    }
  };
  return {
    exportEvalCsv(): void {
      const rows = s().evalRows;
      if (rows.length > 0) save(`${fileStem()}.csv`, rowsToCsv(rows), 'text/csv');
    },
    /** The trajectories this page holds of the current run's rows (episodes run before a reload are not kept). */
    exportEvalJsonl(): void {
      const run = d.runs.current();
      const ts = s()
        .evalRows.map((r) => d.runs.trajectoryOf(run, r.method, r.questionIndex))
        .filter((t): t is Trajectory => t !== undefined);
      if (ts.length > 0) save(`${fileStem()}.jsonl`, trajectoriesToJsonl(ts), 'application/x-ndjson');
    },
    saveStateFile(saved: SavedEval | null): void {
      if (saved !== null) save(`${saved.spec.id}.eval-state.json`, JSON.stringify(saved), 'application/json');
    },
    shareEvaluation(baseUrl: string): void {
      const summary = s().evalSummary;
      if (summary === null) return;
      try {
        const r = buildShareUrl(baseUrl, { config: { ...d.currentConfig(), alpha: summary.alpha }, evaluation: toEvaluationSummary(summary) }, d.keys());
        s().setEvalShare(r.ok ? { url: r.url } : { error: `The link would be ${r.length} characters, over the limit; export the CSV instead.` });
      } catch (err) {
        s().setEvalShare({ error: message(err) });
      }
    },
  };
}
