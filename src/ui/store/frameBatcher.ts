/**
 * The one frame batcher of the engine binders (bind*.ts): items of a stream are collected and written
 * to the store in one batch on the next animation frame, so the store and React see at most one update
 * per frame however fast the engine streams. Knows nothing of the store or of any event type.
 */

/** Runs `flush` on the next frame. */
export type FrameScheduler = (flush: () => void) => void;

/** requestAnimationFrame; a 16 ms timer where there is none (jsdom, a worker). */
export const nextFrame: FrameScheduler = (flush) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => flush());
  else setTimeout(flush, 16);
};

export interface FrameBatcher<T> {
  /** Adds an item; the first one since the last write asks for a frame. */
  push(item: T): void;
  /** Writes what is pending now (a stream's end, or an error); nothing when nothing is. */
  flush(): void;
  /** Forgets what is pending (a later record replaces it). */
  drop(): void;
}

/** `write` gets the items pushed since the last write, in order; it is never called with none. */
export function createFrameBatcher<T>(schedule: FrameScheduler, write: (items: T[]) => void): FrameBatcher<T> {
  let pending: T[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const items = pending;
    pending = [];
    write(items);
  };
  return {
    push(item) {
      pending.push(item);
      if (scheduled) return;
      scheduled = true;
      schedule(() => scheduled && flush());
    },
    flush,
    drop() {
      pending = [];
    },
  };
}
