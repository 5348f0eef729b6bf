/**
 * The Evaluation view's actions (issue 7): build a run spec from the settings (the same spec the CLI's
 * `eval` builds for the same flags, so the numbers match), estimate a live run and wait for the user's
 * confirmation, run it in the engine (a worker in the app), write its events to the store once per
 * frame, pause / resume / cancel, sweep a small grid, open an episode in the timeline, export JSONL and
 * CSV, share the summary, and keep a paused run's state for a resume after a reload.
 *
 * Resume after reload: when a run pauses or is cancelled, `{ spec, state }` is saved in localStorage
 * under EVAL_STORAGE_NAME (non-secret: questions, pool names and prices, rows, the rng position; never a
 * key — a live run gets the keys again from the key vault when it resumes). The same pair can be
 * downloaded and loaded again as a file ("state file"). A tab closed mid-run resumes from its last
 * pause: the state only exists between episodes. Trajectories of episodes run before a reload are not
 * kept (their rows are), so JSONL export and "open in the timeline" cover this page's episodes.
 *
 * Runs and their episodes: the Pareto plot keeps points of earlier runs (one per α and limits), so each
 * run's trajectories are kept with that run (found by its summary, the object the store holds) for the
 * last KEPT_EVAL_RUNS runs on the plot; a point of an earlier run opens that run's episodes, and a point
 * whose run is no longer kept says so (store: evalKeptRuns) instead of opening another run's episode.
 */
import {
  buildShareUrl,
  EMBEDDED_INDEX_FILE,
  parseEmbeddedIndex,
  OFFLINE_PROVIDER,
  rowsToCsv,
  splitQuestions,
  toEvaluationSummary,
  trajectoriesToJsonl,
  isQaDatasetId,
  variantForAlpha,
  EVAL_STATE_VERSION,
  type CandidateSpec,
  type Engine,
  type EmbeddedIndex,
  type EngineEvalRequest,
  type EvalEvent,
  type EvalMethodSpec,
  type EvalRow,
  type EvalRunSpec,
  type EvalState,
  type EvalSummary,
  type LoadedModelInfo,
  type PolicySpec,
  type PoolModelRecord,
  type QuestionRecord,
  type ReferenceData,
  type ShareConfig,
  type Trajectory,
} from '../../core';
import type { AppStore } from '../store/appStore';
import type { EvalProgress, EvalSettings } from '../store/evalSlice';
import { downloadFile } from './downloadFile';
import { settingsForModel } from './modelActions';

export const EVAL_STORAGE_NAME = 'router-r1-studio.eval';

/** The policy method of the loaded model (one at a time: the engine keeps one model). */
export const LOADED_POLICY_ID = 'loaded';

/**
 * The teacher cascade (core's `teacher` method, the embedded policies' warm-up teacher) at the α of
 * each embedded variant: method ids `teacher` (α 0) and `teacher:0.8`, as the CLI names them.
 */
export const TEACHER_ALPHAS = [0, 0.8] as const;
export const teacherMethodId = (alpha: number): string => (alpha === 0 ? 'teacher' : `teacher:${alpha}`);

/**
 * Embedded policies (public/models/<name>/, listed in embedded.json) run greedily: each variant's α is
 * in its weights (it was trained at that α), so no sampling noise and no cost-aware bias on top — the
 * CLI's `eval --policy public/models/<name>` decodes the same way (temperature 0, no bias).
 */
export const EMBEDDED_SAMPLING = { temperature: 0, topP: 1, topK: 0 } as const;

/** λ of the cost-aware decoding bias per unit of α for the policy method (α = 0.5 → λ = 2). */
export const ALPHA_BIAS_SCALE = 4;

/**
 * "Embedded policy (by α)", method id `policy:embedded`: the embedded variant trained for the α nearest
 * the run's (variantForAlpha: router-nano-a0 below α 0.45, router-nano-a08 from there), greedy, with the
 * cost-aware decoding bias λ = 4α on top — what the α control does to the embedded policy in the Model
 * policy mode. One method id across α, so runs at different α (and the α sweep) compare on one plot.
 */
export const EMBEDDED_BY_ALPHA_ID = 'embedded';

/** The embedded variant `policy:embedded` runs at α (null when no variant is listed). */
export function embeddedVariantForAlpha(variants: EmbeddedIndex['variants'], alpha: number): EmbeddedIndex['variants'][number] | null {
  if (variants.length === 0) return null;
  return variantForAlpha({ variants }, alpha);
}

/** A variant's weights before RL (embedded.json `warmups`). */
export type EmbeddedWarmup = NonNullable<EmbeddedIndex['warmups']>[number];

/**
 * The label of a warm-up method (`policy:<variant>-warmup`): the same weights as its variant before RL
 * (the supervised warm-up alone), the paper's "same policy weights used as a plain prompted router".
 */
export const warmupMethodLabel = (w: EmbeddedWarmup): string => `${w.of} before RL (warm-up, α ${w.alpha})`;

/** The cost-aware bias strength at α (λ = 4α, rounded as the α control shows it). */
export const alphaBiasStrength = (alpha: number): number => Math.round(alpha * ALPHA_BIAS_SCALE * 1e6) / 1e6;

/** How many runs keep their trajectories (the current one included), so memory stays bounded. */
export const KEPT_EVAL_RUNS = 4;

export const SWEEP_ALPHAS = [0, 0.5, 0.9] as const;
export const SWEEP_MAX_CALLS = [1, 2, 3] as const;

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

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
  /** Reads embedded.json (default: fetch). */
  fetchJson?: (url: string) => Promise<unknown>;
  /** Runs `flush` on the next frame (requestAnimationFrame in the app). */
  schedule?: (flush: () => void) => void;
}

/** What is saved to resume a run (file or localStorage). */
export interface SavedEval {
  format: 'router-r1-studio.eval-state';
  spec: EvalRunSpec;
  state: EvalState;
}

export class EvalSetupError extends Error {
  override name = 'EvalSetupError';
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const nextFrame = (flush: () => void): void => void (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(() => flush()) : setTimeout(flush, 16));
const episodeKey = (method: string, qi: number): string => `${method}|${qi}`;

/** One run's episodes: its rows and trajectories as they arrive, and its summary once it has one. */
interface RunEpisodes {
  summary: EvalSummary | null;
  rows: EvalRow[];
  trajectories: Map<string, Trajectory>;
}

const emptyRun = (): RunEpisodes => ({ summary: null, rows: [], trajectories: new Map() });

/**
 * Method ids → specs; ids that do not fit this pool (a model removed, no model loaded, an embedded
 * variant or warm-up that is not listed) are left out. `embedded`: the variants of embedded.json;
 * `alpha`: the run's α, which picks the variant of `policy:embedded` (never a warm-up); `warmups`: the
 * warm-ups of embedded.json (`policy:<name>`, each its own folder, decoded like the variants).
 */
export function methodSpecs(
  ids: readonly string[],
  pool: Trajectory['pool'],
  model: LoadedModelInfo | null,
  embedded: EmbeddedIndex['variants'] = [],
  alpha = 0,
  warmups: readonly EmbeddedWarmup[] = [],
): EvalMethodSpec[] {
  const out: EvalMethodSpec[] = [];
  for (const id of ids) {
    if (id.startsWith('single:')) {
      const name = id.slice('single:'.length);
      if (pool.some((m) => m.name === name)) out.push({ kind: 'single', model: name });
    } else if (id === `policy:${LOADED_POLICY_ID}`) {
      if (model !== null) out.push({ kind: 'policy', id: LOADED_POLICY_ID, label: model.name });
    } else if (id === `policy:${EMBEDDED_BY_ALPHA_ID}`) {
      const variant = embeddedVariantForAlpha(embedded, alpha);
      if (variant !== null) out.push({ kind: 'policy', id: EMBEDDED_BY_ALPHA_ID, label: `embedded policy at α ${alpha}: ${variant.name}`, variant: variant.name });
    } else if (id.startsWith('policy:')) {
      const variant = embedded.find((v) => `policy:${v.name}` === id);
      const warmup = variant === undefined ? warmups.find((w) => `policy:${w.name}` === id) : undefined;
      if (variant !== undefined) out.push({ kind: 'policy', id: variant.name, label: `${variant.name} (α ${variant.alpha})` });
      else if (warmup !== undefined) out.push({ kind: 'policy', id: warmup.name, label: warmupMethodLabel(warmup) });
    } else if (id === 'teacher' || id.startsWith('teacher:')) {
      const alpha = id === 'teacher' ? 0 : Number(id.slice('teacher:'.length));
      if (Number.isFinite(alpha) && alpha >= 0 && alpha <= 1) out.push({ kind: 'teacher', alpha });
    } else if (id === 'random' || id === 'cheapest' || id === 'largest' || id === 'cascade' || id === 'oracle') {
      const live = pool.some((m) => m.provider !== OFFLINE_PROVIDER);
      if (id !== 'oracle' || !live) out.push({ kind: id });
    }
  }
  return out;
}

export function parseSavedEval(text: string): SavedEval {
  let v: unknown;
  try {
    v = JSON.parse(text) as unknown;
  } catch {
    throw new EvalSetupError('The evaluation state file is not JSON; pick a file saved with "Save state".');
  }
  const saved = v as Partial<SavedEval> | null;
  if (saved === null || typeof saved !== 'object' || saved.format !== 'router-r1-studio.eval-state' || saved.spec === undefined || saved.state === undefined) {
    throw new EvalSetupError('This file is not an evaluation state (format router-r1-studio.eval-state); pick a file saved with "Save state".');
  }
  if (saved.state.version !== EVAL_STATE_VERSION) throw new EvalSetupError(`The state file has version ${String(saved.state.version)}; this app reads version ${EVAL_STATE_VERSION}.`);
  return saved as SavedEval;
}

export function createEvalActions(deps: EvalActionsDeps) {
  const { engine, store } = deps;
  const s = store.getState;
  const schedule = deps.schedule ?? nextFrame;
  /** The run in progress or last run (a paused run resumes into it), and earlier runs still on the plot, oldest first. */
  let current = emptyRun();
  let earlier: RunEpisodes[] = [];
  let saved: SavedEval | null = null;
  /** The run `saved` continues (its episodes so far); null for a run saved before a reload or loaded from a file. */
  let savedRun: RunEpisodes | null = null;
  let running: { pause: AbortController; cancel: AbortController } | null = null;
  let confirm: ((ok: boolean) => void) | null = null;

  async function questionsFor(dataset: string): Promise<QuestionRecord[]> {
    if (dataset === 'offline' || dataset === 'offline-heldout') {
      const list = s().questionLists['offline'];
      if (list?.status !== 'ready') throw new EvalSetupError(list?.status === 'failed' ? `The offline pool did not load: ${list.error}` : 'The offline pool is still loading; try again in a moment.');
      return dataset === 'offline' ? list.items : splitQuestions(list.items, 'heldout');
    }
    if (!isQaDatasetId(dataset)) throw new EvalSetupError(`Unknown dataset "${dataset}".`);
    const list = s().questionLists[dataset];
    if (list?.status === 'ready') return list.items;
    const items = await engine.loadQuestions(dataset, { dataRoot: deps.dataRoot });
    s().setQuestionList(dataset, { status: 'ready', items });
    return items;
  }

  /** The run spec of the settings: the CLI's `eval --dataset offline --split heldout --limit N …` gives the same one. */
  async function buildSpec(settings: EvalSettings): Promise<EvalRunSpec> {
    const pool = s().models.map((m) => ({ ...m }));
    if (pool.length === 0) throw new EvalSetupError('The pool has no model; add at least one (or pick the offline pool) before evaluating.');
    const methods = methodSpecs(settings.methods, pool, s().modelInfo, embeddedVariants(), settings.alpha, embeddedWarmups());
    if (methods.length === 0) throw new EvalSetupError('Pick at least one method that fits this pool.');
    const questions = (await questionsFor(settings.dataset)).slice(0, settings.limit);
    const ref = await deps.reference();
    if (ref === null) throw new EvalSetupError('The reference texts (candidate prompt) did not load from the data root; check the data root (?dataRoot=).');
    const model = s().modelInfo;
    // The loaded model's limits apply to the whole run (as before); embedded variants are fitted per
    // episode into their own positions by core (runEvaluation's contextCapacity), as in the CLI.
    const hasPolicy = methods.some((m) => m.kind === 'policy' && m.id === LOADED_POLICY_ID);
    const base = s().runConfig.settings;
    return {
      id: `eval-${settings.dataset}-s${settings.seed}`,
      dataset: settings.dataset,
      questions,
      pool,
      methods,
      agentTemplate: ref.agentPrompt,
      settings: hasPolicy && model !== null ? settingsForModel(base, model, s().modelMaxNewTokens) : { ...base },
      alpha: settings.alpha,
      seed: settings.seed,
      limits: { maxCalls: settings.maxCalls, maxSpendUsd: settings.maxSpendUsd },
      sampling: { ...s().runConfig.sampling, seed: settings.seed },
    };
  }

  function embeddedVariants(): EmbeddedIndex['variants'] {
    const e = s().evalEmbedded;
    return e.status === 'ready' ? e.variants : [];
  }

  function embeddedWarmups(): readonly EmbeddedWarmup[] {
    const e = s().evalEmbedded;
    return e.status === 'ready' ? (e.warmups ?? []) : [];
  }

  function baseUrl(): string {
    if (deps.baseUrl !== undefined) return deps.baseUrl;
    try {
      return new URL('..', deps.dataRoot).href;
    } catch {
      return './';
    }
  }

  /**
   * The onnx policies of the spec's policy methods: the loaded model (the run's sampling, α as the
   * cost-aware bias), embedded variants and their warm-ups (weights before RL) by folder name (greedy,
   * no bias: their α is trained in), and the embedded policy by α (the variant recorded in the spec, greedy, α as the cost-aware bias).
   * Built from the spec alone, so a resumed run finds its variants before embedded.json is read.
   */
  function policiesFor(spec: EvalRunSpec): EngineEvalRequest['policies'] {
    const out: NonNullable<EngineEvalRequest['policies']> = {};
    const model = s().modelInfo;
    for (const m of spec.methods) {
      if (m.kind !== 'policy') continue;
      if (m.id === LOADED_POLICY_ID) {
        if (model === null) continue;
        const { temperature, topP, topK } = s().runConfig.sampling;
        const strength = spec.alpha * ALPHA_BIAS_SCALE;
        out[m.id] = { kind: 'onnx', model: model.ref, preferredDevice: model.preferredDevice, sampling: { temperature, topP, topK, seed: spec.seed }, ...(strength > 0 ? { costBias: { strength } } : {}) };
      } else {
        const byAlpha = m.id === EMBEDDED_BY_ALPHA_ID;
        if (byAlpha && m.variant === undefined) continue;
        const strength = byAlpha ? alphaBiasStrength(spec.alpha) : 0;
        const onnx: Extract<PolicySpec, { kind: 'onnx' }> = {
          kind: 'onnx',
          model: { kind: 'embedded', name: m.variant ?? m.id, baseUrl: baseUrl() },
          preferredDevice: s().preferredDevice,
          sampling: { ...EMBEDDED_SAMPLING, seed: spec.seed },
          ...(strength > 0 ? { costBias: { strength } } : {}),
        };
        out[m.id] = onnx;
      }
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }

  /** Reads embedded.json once (the view calls it when it opens); a missing index leaves the variants out with the reason. */
  async function loadEmbeddedVariants(): Promise<void> {
    const now = s().evalEmbedded.status;
    if (now === 'loading' || now === 'ready') return;
    s().setEvalEmbedded({ status: 'loading' });
    const path = `models/${EMBEDDED_INDEX_FILE}`;
    let url: string;
    try {
      url = new URL(path, baseUrl()).href;
    } catch {
      url = `${baseUrl().replace(/[^/]*$/, '')}${path}`; // a relative base (tests)
    }
    try {
      const read =
        deps.fetchJson ??
        (async (u: string) => {
          const r = await fetch(u);
          if (!r.ok) throw new Error(`HTTP ${r.status}`);
          return (await r.json()) as unknown;
        });
      const index = parseEmbeddedIndex(await read(url));
      const variants = [...index.variants].sort((a, b) => a.alpha - b.alpha);
      const warmups = index.warmups === undefined ? [] : [...index.warmups].sort((a, b) => a.alpha - b.alpha);
      s().setEvalEmbedded({ status: 'ready', variants, ...(warmups.length === 0 ? {} : { warmups }) });
    } catch (err) {
      s().setEvalEmbedded({ status: 'failed', error: `The embedded policies are not listed (${url}: ${message(err)}); train them with \`npm run -s cli -- train-default\`.` });
    }
  }

  function persist(value: SavedEval | null, run: RunEpisodes | null = null): void {
    saved = value;
    savedRun = value === null ? null : run;
    try {
      if (value === null) deps.storage?.removeItem(EVAL_STORAGE_NAME);
      else deps.storage?.setItem(EVAL_STORAGE_NAME, JSON.stringify(value));
    } catch {
      // storage full or blocked: the state stays in memory and can be saved as a file
    }
  }

  /** Runs one spec to its eval.finished; rows and progress reach the store once per frame. */
  async function run(spec: EvalRunSpec, resume?: EvalState): Promise<(EvalEvent & { type: 'eval.finished' }) | null> {
    running?.cancel.abort();
    const mine = { pause: new AbortController(), cancel: new AbortController() };
    running = mine;
    if (resume === undefined) beginRun();
    let pendingRows: EvalRow[] = [];
    let pendingProgress: EvalProgress | null = null;
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      if (pendingRows.length === 0 && pendingProgress === null) return;
      s().evalAdvanced(pendingRows, pendingProgress);
      pendingRows = [];
      pendingProgress = null;
    };
    const req: EngineEvalRequest = { dataRoot: deps.dataRoot, spec, candidates: deps.candidatesFor(spec.pool) as EngineEvalRequest['candidates'] };
    const policies = policiesFor(spec);
    if (policies !== undefined) req.policies = policies;
    if (resume !== undefined) req.resume = resume;
    let finished: (EvalEvent & { type: 'eval.finished' }) | null = null;
    try {
      for await (const e of engine.runEvaluation(req, { signal: mine.cancel.signal, pauseSignal: mine.pause.signal })) {
        switch (e.type) {
          case 'eval.started':
            s().evalStarted({ done: e.done, total: e.total, elapsedMs: resume?.elapsedMs ?? 0, etaMs: null, running: {} }, resume?.rows ?? []);
            break;
          case 'eval.episode':
            current.trajectories.set(episodeKey(e.method, e.questionIndex), e.trajectory);
            current.rows.push(e.row);
            pendingRows.push(e.row);
            break;
          case 'eval.progress':
            pendingProgress = { done: e.done, total: e.total, elapsedMs: e.elapsedMs, etaMs: e.etaMs, running: e.running };
            if (!scheduled) {
              scheduled = true;
              schedule(flush);
            }
            break;
          case 'eval.finished':
            flush();
            finished = e;
            persist(e.status === 'completed' ? null : { format: 'router-r1-studio.eval-state', spec, state: e.state }, current);
            current.summary = e.summary;
            s().evalFinished(e.status, e.summary, e.reason ?? null);
            syncKeptRuns();
            s().setEvalResumable(e.status === 'completed' ? null : { runId: spec.id, done: e.state.rows.length, total: spec.questions.length * spec.methods.length, status: e.status, reason: e.reason ?? null });
            break;
        }
      }
    } catch (err) {
      flush();
      s().evalFailed(message(err));
    } finally {
      if (running === mine) running = null;
    }
    return finished;
  }

  function waitForConfirmation(): Promise<boolean> {
    return new Promise((resolve) => (confirm = resolve));
  }

  /** A live pool: estimate, then wait for the user (confirmEstimate). Offline: no question asked. */
  async function confirmed(spec: EvalRunSpec): Promise<boolean> {
    if (spec.pool.every((m) => m.provider === OFFLINE_PROVIDER)) return true;
    s().evalEstimating();
    const estimate = await engine.estimateEvaluation({ dataRoot: deps.dataRoot, spec });
    if (!estimate.needsConfirmation) return true;
    s().evalConfirming(estimate);
    const ok = await waitForConfirmation();
    if (!ok) s().evalFailed('The run was not started: the estimate was declined.');
    return ok;
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

  /** Drop earlier runs whose point left the plot (a rerun at the same α replaces it), keep the last few, tell the store. */
  function syncKeptRuns(): void {
    const plotted = new Set<EvalSummary>(s().evalHistory);
    earlier = earlier.filter((r) => r.summary !== null && plotted.has(r.summary) && r.summary !== current.summary).slice(-(KEPT_EVAL_RUNS - 1));
    const kept = [...earlier, current].flatMap((r) => (r.summary === null ? [] : [r.summary]));
    s().setEvalKeptRuns(kept);
  }

  /** A resume continues the saved run's episodes (a run from storage or a file starts an empty record). */
  function resumeRun(run: RunEpisodes | null): void {
    if (run === current) return;
    beginRun();
    if (run !== null) {
      earlier = earlier.filter((r) => r !== run);
      current = run;
      syncKeptRuns();
    }
  }

  /** The kept run of a plot point's summary (none: the current run); null when its episodes are no longer kept. */
  function runOf(summary: EvalSummary | undefined): RunEpisodes | null {
    if (summary === undefined || summary === current.summary) return current;
    return earlier.find((r) => r.summary === summary) ?? null;
  }

  /**
   * Show one episode in the timeline (Replay); false when this page does not hold it. `run`: the
   * summary of the run it belongs to (an earlier run's point or episode list); default the current run.
   */
  function openEvalEpisode(method: string, questionIndex: number, run?: EvalSummary): boolean {
    const t = runOf(run)?.trajectories.get(episodeKey(method, questionIndex));
    s().selectEvalMethod(method);
    if (t === undefined) return false;
    s().setMode('replay');
    s().loadTrajectory(t, 'imported');
    s().episodeEnded(null);
    return true;
  }

  return {
    openEvalEpisode,
    loadEmbeddedVariants,
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
      const from = saved;
      if (from === null) return null;
      resumeRun(savedRun);
      return (await run(from.spec, from.state))?.summary ?? null;
    },
    /** After a reload: find a saved run and offer to resume it. */
    restoreSavedEvaluation(): void {
      const text = deps.storage?.getItem(EVAL_STORAGE_NAME) ?? null;
      if (text === null) return;
      try {
        const found = parseSavedEval(text);
        saved = found;
        savedRun = null;
        s().setEvalResumable({ runId: found.spec.id, done: found.state.rows.length, total: found.spec.questions.length * found.spec.methods.length, status: 'paused', reason: null });
      } catch {
        persist(null);
      }
    },
    saveStateFile(): void {
      if (saved !== null) downloadFile(`${saved.spec.id}.eval-state.json`, JSON.stringify(saved), 'application/json');
    },
    loadStateFile(text: string): void {
      try {
        const found = parseSavedEval(text);
        persist(found);
        s().setEvalResumable({ runId: found.spec.id, done: found.state.rows.length, total: found.spec.questions.length * found.spec.methods.length, status: 'paused', reason: null });
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
      const policy = s().modelInfo !== null && base.methods.includes(loaded) ? loaded : embeddedVariants().length > 0 && base.methods.includes(embedded) ? embedded : null;
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
      const r = runOf(run);
      s().selectEvalMethod(method);
      if (r === null) {
        s().selectEvalRun(null);
        return false;
      }
      const rows = r === current ? s().evalRows : r.rows;
      s().selectEvalRun(r === current || r.summary === null ? null : { summary: r.summary, rows: r.rows });
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
    exportEvalCsv(): void {
      const rows = s().evalRows;
      if (rows.length > 0) downloadFile(`${s().evalSummary?.runId ?? 'evaluation'}.csv`, rowsToCsv(rows), 'text/csv');
    },
    exportEvalJsonl(): void {
      const rows = s().evalRows;
      const ts = rows.map((r) => current.trajectories.get(episodeKey(r.method, r.questionIndex))).filter((t): t is Trajectory => t !== undefined);
      if (ts.length > 0) downloadFile(`${s().evalSummary?.runId ?? 'evaluation'}.jsonl`, trajectoriesToJsonl(ts), 'application/x-ndjson');
    },
    /** A share link to the summary (the evaluation kind of share links; never a key). */
    shareEvaluation(baseUrl: string): void {
      const summary = s().evalSummary;
      if (summary === null) return;
      try {
        const r = buildShareUrl(baseUrl, { config: { ...deps.currentConfig(), alpha: summary.alpha }, evaluation: toEvaluationSummary(summary) }, deps.keys());
        s().setEvalShare(r.ok ? { url: r.url } : { error: `The link would be ${r.length} characters, over the limit; export the CSV instead.` });
      } catch (err) {
        s().setEvalShare({ error: message(err) });
      }
    },
  };
}

export type EvalActions = ReturnType<typeof createEvalActions>;
