/**
 * The evaluation stream's binder (see bindEngine.ts): the only `for await` over `runEvaluation`'s
 * events. Rows and progress reach the store once per frame; started, finished and a failure are written
 * at once. What the store does not hold (trajectories, the saved state, kept runs) goes to the caller
 * through `onEpisode` and `onFinished`. Must not: build specs, start or stop runs, or touch storage.
 */
import type { EvalEvent, EvalRow, EvalState } from '../../core';
import type { AppStore } from './appStore';
import type { EvalProgress } from './evalSlice';
import { createFrameBatcher, nextFrame, type FrameScheduler } from './frameBatcher';

export type EvalFinishedEvent = EvalEvent & { type: 'eval.finished' };
export type EvalEpisodeEvent = EvalEvent & { type: 'eval.episode' };

export interface EvaluationBinding {
  /** The state a resumed run continues from (its rows and elapsed time are shown from the start). */
  resume?: EvalState;
  schedule?: FrameScheduler;
  /** Each episode as it arrives (its trajectory is the caller's to keep). */
  onEpisode?: (e: EvalEpisodeEvent) => void;
  /** Right after the store has the run's end. */
  onFinished?: (e: EvalFinishedEvent) => void;
}

type Advance = { row: EvalRow } | { progress: EvalProgress };

/** Runs the stream to its end; the finished event, or null when the stream failed (the store says why). */
export async function runEvaluationIntoStore(events: () => AsyncIterable<EvalEvent>, store: AppStore, opts: EvaluationBinding = {}): Promise<EvalFinishedEvent | null> {
  const s = store.getState;
  const batch = createFrameBatcher<Advance>(opts.schedule ?? nextFrame, (items) => {
    const rows = items.flatMap((x) => ('row' in x ? [x.row] : []));
    const progress = items.reduce<EvalProgress | null>((last, x) => ('progress' in x ? x.progress : last), null);
    s().evalAdvanced(rows, progress);
  });
  let finished: EvalFinishedEvent | null = null;
  try {
    for await (const e of events()) {
      switch (e.type) {
        case 'eval.started':
          s().evalStarted({ done: e.done, total: e.total, elapsedMs: opts.resume?.elapsedMs ?? 0, etaMs: null, running: {} }, opts.resume?.rows ?? []);
          break;
        case 'eval.episode':
          opts.onEpisode?.(e);
          batch.push({ row: e.row });
          break;
        case 'eval.progress':
          batch.push({ progress: { done: e.done, total: e.total, elapsedMs: e.elapsedMs, etaMs: e.etaMs, running: e.running } });
          break;
        case 'eval.finished':
          batch.flush();
          finished = e;
          s().evalFinished(e.status, e.summary, e.reason ?? null);
          opts.onFinished?.(e);
          break;
      }
    }
  } catch (err) {
    batch.flush();
    s().evalFailed(err instanceof Error ? err.message : String(err));
  }
  return finished;
}
