/**
 * Share links and bundles for the app controller: open a link (decode, then apply it to the store, or
 * keep it pending until the user agrees when it would replace their work), make a link from what is
 * shown, export and import bundles. Opening never fetches or runs anything, and never touches stored
 * keys or settings: it fills in the setup (question, pool draft, run settings) and shows a trajectory
 * or an evaluation. Every export is scanned for the user's keys first.
 */
import {
  buildShareUrl,
  configOfTrajectory,
  createBundle,
  decodeShareCode,
  OFFLINE_PROVIDER,
  parseBundle,
  serializeBundle,
  shareKind,
  type PoolModelRecord,
  type ShareConfig,
  type ShareState,
  type Trajectory,
} from '../../core';
import type { AppStore } from '../store/appStore';
import type { KeyVault } from '../../core';
import { exportFile, type SaveFile } from './exportFile';
import { serializeTrajectory } from './trajectoryFile';

export interface ShareActionsDeps {
  store: AppStore;
  keys: KeyVault;
  /** The data root given with ?dataRoot= (null: the app's default); carried in links for information. */
  sharedDataRoot: string | null;
  /** Stops a running episode before a shared state replaces it. */
  stopEpisode: () => void;
  /** How files are saved (the browser's download in the app). */
  saveFile: SaveFile;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Providers of the pool that need a key this browser does not have. */
function missingKeys(pool: readonly PoolModelRecord[], store: AppStore): string[] {
  const s = store.getState();
  const used = new Set(pool.map((m) => m.provider).filter((p) => p !== OFFLINE_PROVIDER));
  return s.providers.filter((p) => used.has(p.id) && p.needsKey && s.hasKey[p.id] !== true).map((p) => p.label);
}

export function createShareActions(deps: ShareActionsDeps) {
  const { store, keys } = deps;
  const s = store.getState;

  function currentConfig(): ShareConfig {
    const { runConfig, models, question } = s();
    return {
      ...runConfig,
      dataRoot: deps.sharedDataRoot,
      pool: models.map((m) => ({ ...m })),
      question: question === null ? null : { ...question, goldAnswers: [...question.goldAnswers] },
    };
  }

  /** The shared state, as the setup and the viewer. `source` 'demo': a recorded demo, not a link. */
  function apply(state: ShareState, opened: string, source: 'shared' | 'demo' = 'shared'): void {
    deps.stopEpisode();
    const { pool, question, ...run } = state.config;
    s().setRunConfig(run);
    if (pool.length > 0) s().setPool('custom', pool);
    if (question !== null) s().pickQuestion(question);
    // A link may lower the session spending cap, never raise it.
    const cap = s().spendingCapUsd;
    if (run.limits.maxSpendUsd !== null && (cap === null || run.limits.maxSpendUsd < cap)) s().setSpendingCap(run.limits.maxSpendUsd);
    const notes: string[] = [];
    const kind = shareKind(state);
    if (state.trajectory !== undefined) {
      s().setMode('replay');
      s().loadTrajectory(state.trajectory, source);
      s().episodeEnded(null);
      notes.push(`Opened a ${source === 'demo' ? 'recorded' : 'shared'} trajectory from ${opened}: step through it with → or Next. Nothing was run.`);
    } else {
      s().setMode('human');
      notes.push(`Opened a shared setup from ${opened}: the question, pool and settings are filled in; press Start episode to run it.`);
    }
    s().showEvaluation(state.evaluation ?? null);
    if (kind === 'evaluation') notes.push('Its evaluation summary is shown below.');
    const missing = missingKeys(pool, store);
    if (missing.length > 0) notes.push(`To run it, this pool needs your key for ${missing.join(', ')} (links never carry keys).`);
    if (run.dataRoot !== null) notes.push(`The sender used the data root ${run.dataRoot}; this app keeps its own.`);
    s().linkOpened(notes.join(' '));
  }

  /** The bundle's text, checked for keys (null: refused, and the share outcome says why). */
  function exportBundle(): string | null {
    const t = s().trajectory;
    const evaluation = s().evaluation;
    const configuration = t === null ? currentConfig() : configOfTrajectory(t, currentConfig());
    try {
      return serializeBundle(createBundle({ configuration, trajectories: t === null ? [] : [t], ...(evaluation === null ? {} : { results: evaluation }) }), keys.all());
    } catch (err) {
      s().setShareOutcome({ status: 'failed', message: message(err) });
      return null;
    }
  }

  const hasUserWork = (): boolean => s().trajectory !== null || s().presetId === 'custom' || s().phase === 'starting' || s().phase === 'generating' || s().phase === 'calling';

  return {
    currentConfig,

    /** A `#s=` code. `ask`: keep it pending when it would replace the user's work (a link pasted into a running session). */
    openLink(code: string, opts: { ask?: boolean } = {}): void {
      const r = decodeShareCode(code);
      if (!r.ok) return s().linkFailed(`${r.error.message} The app is unchanged.`);
      if (opts.ask === true && hasUserWork()) return s().setPendingLink(r.state);
      apply(r.state, 'a link');
    },

    /** A recorded trajectory the app ships (the demo gallery), opened as a shared trajectory link is. */
    openRecordedTrajectory(t: Trajectory, opened: string): void {
      apply({ config: { ...configOfTrajectory(t, currentConfig()), dataRoot: null }, trajectory: t }, opened, 'demo');
    },

    acceptPendingLink(): void {
      const pending = s().pendingLink;
      if (pending !== null) apply(pending, 'a link');
    },

    /** A link to the shown trajectory (kind 'trajectory') or to the setup; too long → the UI offers a bundle. */
    makeShareLink(kind: 'trajectory' | 'config', baseUrl: string): void {
      const t = s().trajectory;
      const state: ShareState = kind === 'trajectory' && t !== null ? { config: configOfTrajectory(t, currentConfig()), trajectory: t } : { config: currentConfig() };
      try {
        const r = buildShareUrl(baseUrl, state, keys.all());
        s().setShareOutcome(r.ok ? { status: 'link', url: r.url, copied: false, kind: shareKind(state) === 'trajectory' ? 'trajectory' : 'config' } : { status: 'too-long', length: r.length });
      } catch (err) {
        s().setShareOutcome({ status: 'failed', message: message(err) });
      }
    },

    /** The bundle file text of what is shown (null when the key scan refused it; the reason is in shareOutcome). */
    exportBundle,


    /** Downloads the bundle file (configuration, trajectory, results), checked for keys like every export. */
    downloadBundle(): void {
      const text = exportBundle();
      if (text === null) return;
      try {
        exportFile(deps.saveFile, keys.all(), `${s().trajectory?.id ?? 'setup'}.bundle.json`, text);
      } catch (err) {
        s().setShareOutcome({ status: 'failed', message: message(err) });
      }
    },

    /** Downloads the shown trajectory as JSON ("Export JSON"); a key in it saves nothing and says why. */
    exportTrajectoryFile(): void {
      const t = s().trajectory;
      if (t === null) return;
      try {
        exportFile(deps.saveFile, keys.all(), `${t.id}.trajectory.json`, serializeTrajectory(t));
        s().setTrajectoryExportError(null);
      } catch (err) {
        s().setTrajectoryExportError(message(err));
      }
    },

    /** A bundle file picked by the user (their consent): its configuration, first trajectory and results. */
    importBundle(text: string): void {
      const r = parseBundle(text);
      if (!r.ok) return s().linkFailed(`${r.error.message} The app is unchanged.`);
      const { configuration, trajectories, results } = r.bundle;
      const first = trajectories[0];
      apply({ config: configuration, ...(first === undefined ? {} : { trajectory: first }), ...(results === undefined ? {} : { evaluation: results }) }, 'a bundle');
    },
  };
}
