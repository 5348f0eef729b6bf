/**
 * Resume after reload: a paused or cancelled evaluation's `{ spec, state }`, kept in localStorage under
 * EVAL_STORAGE_NAME and downloadable as a "state file". Non-secret: questions, pool names and prices,
 * rows, the rng position; never a key (a live run gets the keys again from the key vault when it
 * resumes). The state only exists between episodes, so a tab closed mid-run resumes from its last pause.
 * Must not: run evaluations or write the store (evalActions.ts does both).
 */
import { assertNoSecrets, EVAL_STATE_VERSION, type EvalRunSpec, type EvalState } from '../../core';
import type { EvalResumable } from '../store/evalSlice';

export const EVAL_STORAGE_NAME = 'router-r1-studio.eval';
const SAVED_EVAL_FORMAT = 'router-r1-studio.eval-state';

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** What is saved to resume a run (file or localStorage). */
export interface SavedEval {
  format: typeof SAVED_EVAL_FORMAT;
  spec: EvalRunSpec;
  state: EvalState;
}

/** A run that cannot be set up or resumed, with what to do about it. */
export class EvalSetupError extends Error {
  override name = 'EvalSetupError';
}

export const savedEvalOf = (spec: EvalRunSpec, state: EvalState): SavedEval => ({ format: SAVED_EVAL_FORMAT, spec, state });

export function parseSavedEval(text: string): SavedEval {
  let v: unknown;
  try {
    v = JSON.parse(text) as unknown;
  } catch {
    throw new EvalSetupError('The evaluation state file is not JSON; pick a file saved with "Save state".');
  }
  const saved = v as Partial<SavedEval> | null;
  if (saved === null || typeof saved !== 'object' || saved.format !== SAVED_EVAL_FORMAT || saved.spec === undefined || saved.state === undefined) {
    throw new EvalSetupError(`This file is not an evaluation state (format ${SAVED_EVAL_FORMAT}); pick a file saved with "Save state".`);
  }
  if (saved.state.version !== EVAL_STATE_VERSION) throw new EvalSetupError(`The state file has version ${String(saved.state.version)}; this app reads version ${EVAL_STATE_VERSION}.`);
  return saved as SavedEval;
}

/** What the Evaluate view offers to resume for a saved run (a run from storage or a file shows as paused). */
export function resumableOf(saved: SavedEval, status: EvalResumable['status'] = 'paused', reason: string | null = null): EvalResumable {
  return { runId: saved.spec.id, done: saved.state.rows.length, total: saved.spec.questions.length * saved.spec.methods.length, status, reason };
}

/**
 * The one saved run, with `R`, this page's record of the run it continues (null for a run saved before
 * a reload or loaded from a file). Written through to storage; a full or blocked storage keeps it in
 * memory only (it can still be saved as a file). A run whose text holds one of the user's `keys` (pasted
 * into a model id or a question) is never written to storage: it stays in memory only.
 */
export function createEvalSaveSlot<R>(storage: StorageLike | null, keys: () => Readonly<Record<string, string>> = () => ({})) {
  let saved: SavedEval | null = null;
  let run: R | null = null;
  const forgetStored = (): void => {
    try {
      storage?.removeItem(EVAL_STORAGE_NAME);
    } catch {
      // blocked storage: nothing was written either
    }
  };
  function set(value: SavedEval | null, of: R | null = null): void {
    saved = value;
    run = value === null ? null : of;
    try {
      if (value === null) storage?.removeItem(EVAL_STORAGE_NAME);
      else {
        const text = JSON.stringify(value);
        assertNoSecrets(text, keys());
        storage?.setItem(EVAL_STORAGE_NAME, text);
      }
    } catch {
      // storage full or blocked, or a key in the text: the state stays in memory (and nothing stale is left)
      if (value !== null) forgetStored();
    }
  }
  return {
    get: (): { saved: SavedEval; run: R | null } | null => (saved === null ? null : { saved, run }),
    set,
    /** After a reload: the run saved in storage, if any (an unreadable one is removed). */
    restore(): SavedEval | null {
      const text = storage?.getItem(EVAL_STORAGE_NAME) ?? null;
      if (text === null) return null;
      try {
        saved = parseSavedEval(text);
        run = null;
        return saved;
      } catch {
        set(null);
        return null;
      }
    },
  };
}
