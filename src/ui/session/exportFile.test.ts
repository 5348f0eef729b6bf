/**
 * Every way text leaves the app as a file, or into storage, goes through the one secret check: a key
 * pasted into a shared field (a model id) makes the export save nothing and say which provider's key it
 * found, never the key; the same export without the key saves the file. Saves are recorded by a fake
 * `saveFile` (the browser download is the only part not run here).
 */
import { describe, expect, it } from 'vitest';
import { buildExampleTrajectory, createMemoryKeyVault, EVAL_STATE_VERSION, SecretLeakError, type EvalRow, type EvalRunSpec, type EvalState, type Trajectory } from '../../core';
import { createAppStore } from '../store/appStore';
import { fakeEngine } from '../testing/fakeEngine';
import { createAppController } from './appController';
import { createEvalExports } from './evalExport';
import { createEvalRuns } from './evalRuns';
import { createEvalSaveSlot, EVAL_STORAGE_NAME, savedEvalOf, type StorageLike } from './evalSaved';
import { exportFile, type SaveFile } from './exportFile';

const CANARY = 'sk-canary-ZXQ123-export-9a8b7c';
const KEYS = { openai: CANARY };

function recorder(): { save: SaveFile; saved: { fileName: string; text: string; type: string }[] } {
  const saved: { fileName: string; text: string; type: string }[] = [];
  return { saved, save: (fileName, text, type) => void saved.push({ fileName, text, type }) };
}

describe('exportFile', () => {
  it('saves a text without keys, and refuses one with a key raw or JSON-escaped, naming the provider only', () => {
    const r = recorder();
    exportFile(r.save, KEYS, 'a.json', '{"model":"gpt-4o"}');
    expect(r.saved.map((f) => f.fileName)).toEqual(['a.json']);
    for (const text of [`{"model":"gpt-${CANARY}"}`, JSON.stringify({ q: `a "quoted" ${CANARY}\n` })]) {
      let err: unknown;
      try {
        exportFile(r.save, KEYS, 'b.json', text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SecretLeakError);
      expect(String((err as Error).message)).toContain('openai API key');
      expect(String((err as Error).message)).not.toContain(CANARY);
    }
    expect(r.saved).toHaveLength(1);
  });
});

/** The example trajectory with the canary pasted into a pool model's id. */
async function leakyTrajectory(): Promise<Trajectory> {
  const t = await buildExampleTrajectory();
  return { ...t, pool: t.pool.map((m, i) => (i === 0 ? { ...m, providerModelId: `gpt-${CANARY}` } : m)) };
}

describe('the trajectory and bundle exports', () => {
  function setup() {
    const store = createAppStore();
    const keys = createMemoryKeyVault();
    keys.set('openai', CANARY);
    const r = recorder();
    const controller = createAppController({ engine: fakeEngine(), store, keys, dataRoot: 'http://app/data/', saveFile: r.save });
    return { store, controller, r };
  }

  it('Export JSON saves the shown trajectory; with a key in a model id it saves nothing and says why', async () => {
    const { store, controller, r } = setup();
    const clean = await buildExampleTrajectory();
    store.getState().loadTrajectory(clean, 'example');
    controller.exportTrajectoryFile();
    expect(r.saved.map((f) => f.fileName)).toEqual([`${clean.id}.trajectory.json`]);
    expect(store.getState().trajectoryExportError).toBeNull();

    store.getState().loadTrajectory(await leakyTrajectory(), 'example');
    controller.exportTrajectoryFile();
    expect(r.saved).toHaveLength(1);
    expect(store.getState().trajectoryExportError).toContain('openai API key');
    expect(store.getState().trajectoryExportError).not.toContain(CANARY);
  });

  it('the bundle download refuses the same trajectory and saves the clean one', async () => {
    const { store, controller, r } = setup();
    store.getState().loadTrajectory(await leakyTrajectory(), 'example');
    controller.downloadBundle();
    expect(r.saved).toHaveLength(0);
    expect(store.getState().shareOutcome).toMatchObject({ status: 'failed', message: expect.stringContaining('openai API key') });
    const clean = await buildExampleTrajectory();
    store.getState().loadTrajectory(clean, 'example');
    controller.downloadBundle();
    expect(r.saved.map((f) => f.fileName)).toEqual([`${clean.id}.bundle.json`]);
    expect(r.saved[0]?.text).not.toContain(CANARY);
  });
});

const row = (method: string): EvalRow => ({ id: 'q1', questionIndex: 0, dataset: 'd', method, em: 1, f1: 1, format: 0, costUnits: 1, costUsd: 0, calls: 1, turns: 2, models: [method], reward: 1, status: 'answered' });

describe('the Evaluate exports and the saved run', () => {
  it('CSV and the state file with a key in a method id save nothing and say so in the export bar', () => {
    const store = createAppStore();
    const r = recorder();
    const exports = createEvalExports({ store, runs: createEvalRuns(store), currentConfig: () => ({}) as never, keys: () => KEYS, saveFile: r.save });
    store.getState().evalAdvanced([row('single:gpt-4o')], null);
    exports.exportEvalCsv();
    expect(r.saved.map((f) => f.type)).toEqual(['text/csv']);
    store.getState().evalAdvanced([row(`single:gpt-${CANARY}`)], null);
    exports.exportEvalCsv();
    const spec = { id: 'run-1', questions: [{ text: `what is ${CANARY}?` }] } as unknown as EvalRunSpec;
    exports.saveStateFile(savedEvalOf(spec, { version: EVAL_STATE_VERSION, rows: [] } as unknown as EvalState));
    expect(r.saved).toHaveLength(1);
    expect(store.getState().evalShare).toMatchObject({ error: expect.stringContaining('openai API key') });
  });

  it('a run whose spec holds a key is kept in memory, never written to storage', () => {
    const data = new Map<string, string>();
    const storage: StorageLike = { getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
    const slot = createEvalSaveSlot<null>(storage, () => KEYS);
    const state = { version: EVAL_STATE_VERSION, rows: [] } as unknown as EvalState;
    slot.set(savedEvalOf({ id: 'clean', questions: [] } as unknown as EvalRunSpec, state));
    expect(data.has(EVAL_STORAGE_NAME)).toBe(true);
    slot.set(savedEvalOf({ id: 'leaky', questions: [{ text: CANARY }] } as unknown as EvalRunSpec, state));
    expect(data.has(EVAL_STORAGE_NAME)).toBe(false);
    expect(slot.get()?.saved.spec.id).toBe('leaky');
  });
});
