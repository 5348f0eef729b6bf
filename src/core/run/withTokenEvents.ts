/**
 * Merges the policy's streamed tokens (pushed from a callback while `policy.generate` is awaited) into
 * the episode's event stream, in order: a round's `round.token` events come after its `round.started`
 * and before its `round.generated`, because the runner cannot yield while it awaits the policy.
 *
 * The runner keeps its back-pressure: it is asked for its next event only when the consumer asks for more
 * than it has (eventChannel's `pulled()`), as with a plain `for await`, so a consumer that stops early stops
 * the run. Tokens are buffered (they arrive between two runner events, a round's worth at most).
 * Must not: reorder events, or run the episode ahead of its consumer.
 */
import type { EpisodeEvent } from './episodeEvents';
import { createEventChannel } from './eventChannel';

export interface TokenSink {
  push(e: Extract<EpisodeEvent, { type: 'round.token' }>): void;
}

/**
 * `start(sink)` creates the episode's event generator (the sink is handed to the policy's onToken).
 * `stop()` is called when the consumer leaves before the episode finished (it aborts the run); the
 * consumer's exit waits until the runner has wound down.
 */
export async function* withTokenEvents(
  start: (sink: TokenSink) => AsyncGenerator<EpisodeEvent, unknown>,
  stop: () => void,
): AsyncGenerator<EpisodeEvent, void> {
  let pump: Promise<void> = Promise.resolve();
  const channel = createEventChannel<EpisodeEvent>({
    onCancel: async () => {
      stop();
      await pump;
    },
  });
  const events = start({ push: (e) => channel.push(e) });
  pump = (async () => {
    try {
      // 1. one runner event per pull: the runner resumes only when the consumer wants more.
      while (await channel.pulled()) {
        const next = await events.next();
        if (next.done === true) return channel.close();
        channel.push(next.value);
      }
    } catch (err) {
      return channel.fail(err);
    }
    // 2. the consumer left first: the run was stopped; let the runner finish its finally blocks.
    await events.return(undefined).catch(() => undefined);
  })();
  yield* channel;
}
