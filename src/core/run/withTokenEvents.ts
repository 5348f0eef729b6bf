/**
 * Merges the policy's streamed tokens (pushed from a callback while `policy.generate` is awaited) into
 * the episode's event stream, in order: a round's `round.token` events come after its `round.started`
 * and before its `round.generated`, because the runner cannot yield while it awaits the policy.
 *
 * Back-pressure is kept for the episode's own events: the runner resumes only after the consumer took
 * its event (as with a plain `for await`), so a consumer that stops early stops the run. Tokens are
 * buffered (they arrive between two runner events, a round's worth at most).
 */
import type { EpisodeEvent } from './episodeEvents';

export interface TokenSink {
  push(e: Extract<EpisodeEvent, { type: 'round.token' }>): void;
}

/**
 * `start(sink)` creates the episode's event generator (the sink is handed to the policy's onToken).
 * `stop()` is called when the consumer leaves before the episode finished (it aborts the run).
 */
export async function* withTokenEvents(
  start: (sink: TokenSink) => AsyncGenerator<EpisodeEvent, unknown>,
  stop: () => void,
): AsyncGenerator<EpisodeEvent> {
  const queue: EpisodeEvent[] = [];
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const events = start({
    push(e) {
      queue.push(e);
      notify();
    },
  });
  let pending: Promise<IteratorResult<EpisodeEvent, unknown>> | null = null;
  let finished = false;
  try {
    for (;;) {
      // 1. ask the runner for its next event (one at a time: back-pressure).
      if (pending === null && !finished) {
        pending = events.next();
        pending.then(notify, notify);
      }
      // 2. hand over the tokens that arrived meanwhile.
      const token = queue.shift();
      if (token !== undefined) {
        yield token;
        continue;
      }
      // 3. the runner's event, once it is there and no token is waiting.
      const settled = await Promise.race([pending, new Promise<null>((r) => (wake = () => r(null)))]);
      if (settled === null) continue;
      pending = null;
      if (settled.done === true) {
        finished = true;
        while (queue.length > 0) yield queue.shift() as EpisodeEvent;
        return;
      }
      while (queue.length > 0) yield queue.shift() as EpisodeEvent;
      yield settled.value;
    }
  } finally {
    if (!finished) {
      stop();
      await pending?.catch(() => undefined);
      await events.return(undefined).catch(() => undefined);
    }
  }
}
