/**
 * The Evaluation view's commands: build a run spec from the settings (evalSpec.ts), estimate a live run
 * and wait for the user's confirmation, start / pause / resume / cancel a run in the engine (its stream
 * goes to store/bindEvaluation.ts), sweep a small grid, open an episode in the timeline, and restore,
 * save or load a paused run (evalSaved.ts). Exports and sharing are evalExport.ts; method ids and
 * policies evalMethods.ts; the kept runs' episodes evalRuns.ts. Must not: read an engine stream itself,
 * fetch, or keep engine objects in the store.
 */
import {
  OFFLINE_PROVIDER,
  type CandidateSpec,
  type Engine,
  type EngineEvalRequest,
  type EvalRunSpec,
  type EvalState,
  type EvalSummary,
  type PoolModelRecord,
  type ReferenceData,
  type ShareConfig,
  type Trajectory,
} from '../../core';
import type { AppStore } from '../store/appStore';
import { runEvaluationIntoStore, type EvalFinishedEvent } from '../store/bindEvaluation';
import type { FrameScheduler } from '../store/frameBatcher';
import { embeddedVariantsOf, loadEmbeddedVariants, type JsonReader } from './evalEmbedded';
import { createEvalExports } from './evalExport';
import { browserSaveFile, type SaveFile } from './exportFile';
import { EMBEDDED_BY_ALPHA_ID, LOADED_POLICY_ID, policiesFor } from './evalMethods';
import { createEvalRuns, type RunEpisodes } from './evalRuns';
import { createEvalSaveSlot, parseSavedEval, resumableOf, savedEvalOf, type StorageLike } from './evalSaved';
import { buildEvalSpec } from './evalSpec';

export const SWEEP_ALPHAS = [0, 0.5, 0.9] as const;
export const SWEEP_MAX_CALLS = [1, 2, 3] as const;

export interface EvalActionsDeps {
  engine: Engine;
  store: AppStore;
  dataRoot: string;
  candidatesFor: (pool: Trajectory['pool']) => CandidateSpec;
  reference: () => Promise<ReferenceData | null>;
  /** The setup a share link carries (pool, α, sampling, …), for "Share". */
  currentConfig: () => ShareConfig;
  keys: () => Record<string, string>;
  /** localStorage in the app; null: nothing survives a reload. */
  storage: StorageLike | null;
  /** The page's base URL: embedded policies live under `<base>models/` (default: the data root's parent). */
  baseUrl?: string;
  /** Reads embedded.json (main.tsx binds the page's fetch); absent: the embedded policies are not offered. */
  fetchJson?: JsonReader;
  /** Runs `flush` on the next frame (requestAnimationFrame in the app). */
  schedule?: FrameScheduler;
  /** How exports are saved (the browser's download in the app). */
  saveFile?: SaveFile;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function createEvalActions(deps: EvalActionsDeps) {
  const { engine, store } = deps;
  const s = store.getState;
  const runs = createEvalRuns(store);
  const slot = createEvalSaveSlot<RunEpisodes>(deps.storage, deps.keys);
  const exports = createEvalExports({ store, runs, currentConfig: deps.currentConfig, keys: deps.keys, saveFile: deps.saveFile ?? browserSaveFile });
  let running: { pause: AbortController; cancel: AbortController } | null = null;
  let confirm: ((ok: boolean) => void) | null = null;

  const baseUrl = (): string => {
    if (deps.baseUrl !== undefined) return deps.baseUrl;
    try {
      return new URL('..', deps.dataRoot).href;
    } catch {
      return './';
    }
  };
  const buildSpec = (settings: Parameters<typeof buildEvalSpec>[1]) => buildEvalSpec({ engine, store, dataRoot: deps.dataRoot, reference: deps.reference }, settings);

  /** Runs one spec to its eval.finished (null when the stream failed); the binder writes the store. */
  async function run(spec: EvalRunSpec, resume?: EvalState): Promise<EvalFinishedEvent | null> {
    running?.cancel.abort();
    const mine = { pause: new AbortController(), cancel: new AbortController() };
    running = mine;
    if (resume === undefined) runs.beginRun();
    const req: EngineEvalRequest = { dataRoot: deps.dataRoot, spec, candidates: deps.candidatesFor(spec.pool) as EngineEvalRequest['candidates'] };
    const { temperature, topP, topK } = s().runConfig.sampling;
    const policies = policiesFor(spec, { model: s().modelInfo, sampling: { temperature, topP, topK }, preferredDevice: s().preferredDevice, baseUrl: baseUrl() });
    if (policies !== undefined) req.policies = policies;
    if (resume !== undefined) req.resume = resume;
    try {
      return await runEvaluationIntoStore(() => engine.runEvaluation(req, { signal: mine.cancel.signal, pauseSignal: mine.pause.signal }), store, {
        ...(resume === undefined ? {} : { resume }),
        ...(deps.schedule === undefined ? {} : { schedule: deps.schedule }),
        onEpisode: (e) => runs.keepEpisode(e.method, e.questionIndex, e.row, e.trajectory),
        onFinished: (e) => {
          const saved = e.status === 'completed' ? null : savedEvalOf(spec, e.state);
          slot.set(saved, runs.current());
          runs.finishRun(e.summary);
          s().setEvalResumable(e.status === 'completed' || saved === null ? null : resumableOf(saved, e.status, e.reason ?? null));
        },
      });
    } finally {
      if (running === mine) running = null;
    }
  }

  /** A live pool: estimate, then wait for the user (confirmEstimate). Offline: no question asked. */
  async function confirmed(spec: EvalRunSpec): Promise<boolean> {
    if (spec.pool.every((m) => m.provider === OFFLINE_PROVIDER)) return true;
    s().evalEstimating();
    const estimate = await engine.estimateEvaluation({ dataRoot: deps.dataRoot, spec });
    if (!estimate.needsConfirmation) return true;
    s().evalConfirming(estimate);
    const ok = await new Promise<boolean>((resolve) => (confirm = resolve));
    if (!ok) s().evalFailed('The run was not started: the estimate was declined.');
    return ok;
  }

  /**
   * Show one episode in the timeline (Replay); false when this page does not hold it. `run`: the
   * summary of the run it belongs to (an earlier run's point or episode list); default the current run.
   */
  function openEvalEpisode(method: string, questionIndex: number, run?: EvalSummary): boolean {
    const r = runs.runOf(run);
    const t = r === null ? undefined : runs.trajectoryOf(r, method, questionIndex);
    s().selectEvalMethod(method);
    if (t === undefined) return false;
    s().setMode('replay');
    s().loadTrajectory(t, 'imported');
    s().episodeEnded(null);
    return true;
  }

  return {
    openEvalEpisode,
    loadEmbeddedVariants: (): Promise<void> => loadEmbeddedVariants(store, baseUrl(), deps.fetchJson),
    async startEvaluation(): Promise<EvalSummary | null> {
      try {
        const spec = await buildSpec(s().evalSettings);
        if (!(await confirmed(spec))) return null;
        s().setEvalSweep(null);
        return (await run(spec))?.summary ?? null;
      } catch (err) {
        s().evalFailed(message(err));
        return null;
      }
    },
    confirmEstimate(ok: boolean): void {
      confirm?.(ok);
      confirm = null;
    },
    pauseEvaluation(): void {
      running?.pause.abort();
      s().evalPausing();
    },
    cancelEvaluation(): void {
      running?.cancel.abort();
    },
    /** Continue the saved run (this session's, or one saved before a reload or loaded from a file). */
    async resumeEvaluation(): Promise<EvalSummary | null> {
      const from = slot.get();
      if (from === null) return null;
      runs.resumeRun(from.run);
      return (await run(from.saved.spec, from.saved.state))?.summary ?? null;
    },
    /** After a reload: find a saved run and offer to resume it. */
    restoreSavedEvaluation(): void {
      const found = slot.restore();
      if (found !== null) s().setEvalResumable(resumableOf(found));
    },
    saveStateFile: (): void => exports.saveStateFile(slot.get()?.saved ?? null),
    loadStateFile(text: string): void {
      try {
        const found = parseSavedEval(text);
        slot.set(found);
        s().setEvalResumable(resumableOf(found));
      } catch (err) {
        s().evalFailed(message(err));
      }
    },
    /**
     * A small grid on the current settings, one run per value: α ∈ {0, 0.5, 0.9} for the loaded policy
     * (α sets its cost-aware bias) or else the embedded policy by α (α picks the variant and sets the
     * bias), else max calls ∈ {1, 2, 3} for the cascade. Drawn as a curve.
     */
    async sweep(): Promise<void> {
      const base = s().evalSettings;
      const loaded = `policy:${LOADED_POLICY_ID}`;
      const embedded = `policy:${EMBEDDED_BY_ALPHA_ID}`;
      const policy = s().modelInfo !== null && base.methods.includes(loaded) ? loaded : embeddedVariantsOf(store).length > 0 && base.methods.includes(embedded) ? embedded : null;
      const byAlpha = policy !== null;
      const parameter = byAlpha ? 'alpha' : 'maxCalls';
      const method = policy ?? 'cascade';
      const values: readonly number[] = byAlpha ? SWEEP_ALPHAS : SWEEP_MAX_CALLS;
      const points: { value: number; summary: EvalSummary }[] = [];
      s().setEvalSweep({ parameter, method, points: [], status: 'running' });
      try {
        for (const value of values) {
          const spec = await buildSpec({ ...base, methods: [method], ...(byAlpha ? { alpha: value } : { maxCalls: value }) });
          if (!(await confirmed(spec))) break;
          const done = await run(spec);
          if (done?.status !== 'completed') break;
          points.push({ value, summary: done.summary });
          s().setEvalSweep({ parameter, method, points: [...points], status: 'running' });
        }
        s().setEvalSweep({ parameter, method, points, status: points.length === values.length ? 'done' : 'failed' });
      } catch (err) {
        s().setEvalSweep({ parameter, method, points, status: 'failed' });
        s().evalFailed(message(err));
      }
    },
    /**
     * A method's row or point: select it (its episodes are listed) and show its first episode. `run`:
     * the summary of the point's run (a point of an earlier run opens that run's episode, never the
     * current run's); false, with nothing opened, when that run's episodes are no longer kept.
     */
    openEvalMethod(method: string, run?: EvalSummary): boolean {
      const r = runs.runOf(run);
      s().selectEvalMethod(method);
      if (r === null) {
        s().selectEvalRun(null);
        return false;
      }
      const current = r === runs.current();
      const rows = current ? s().evalRows : r.rows;
      s().selectEvalRun(current || r.summary === null ? null : { summary: r.summary, rows: r.rows });
      const first = rows.filter((x) => x.method === method).sort((a, b) => a.questionIndex - b.questionIndex)[0];
      return first === undefined ? false : openEvalEpisode(method, first.questionIndex, r.summary ?? undefined);
    },
    /**
     * The paper's unseen models (data root). One the pool already holds under the same name (any case:
     * the offline pool scores LLaMA3-ChatQA-1.5-8B as llama3-chatqa-1.5-8b) is returned as that model.
     */
    async unseenModels(): Promise<PoolModelRecord[]> {
      const ref = await deps.reference();
      return (ref?.unseenPool ?? []).map((p) => s().models.find((m) => m.name.toLowerCase() === p.record.name.toLowerCase()) ?? { ...p.record });
    },
    exportEvalCsv: exports.exportEvalCsv,
    exportEvalJsonl: exports.exportEvalJsonl,
    /** A share link to the summary (the evaluation kind of share links; never a key). */
    shareEvaluation: exports.shareEvaluation,
  };
}

export type EvalActions = ReturnType<typeof createEvalActions>;
