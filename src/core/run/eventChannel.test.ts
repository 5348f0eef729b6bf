import { describe, expect, it } from 'vitest';
import { createEventChannel } from './eventChannel';

/** Every event and the return value (or the error), pulled with `next()` as `for await` does. */
async function drain<E, R>(it: AsyncIterable<E>): Promise<{ events: E[]; result?: R; error?: unknown }> {
  const iterator = it[Symbol.asyncIterator]() as AsyncIterator<E, R>;
  const events: E[] = [];
  try {
    for (;;) {
      const r = await iterator.next();
      if (r.done === true) return { events, result: r.value };
      events.push(r.value);
    }
  } catch (error) {
    return { events, error };
  }
}

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

describe('createEventChannel', () => {
  it('hands out pushed events in order, then the close result', async () => {
    const ch = createEventChannel<number, string>();
    const done = drain<number, string>(ch);
    ch.push(1);
    await tick();
    ch.push(2);
    ch.push(3);
    ch.close('ok');
    expect(await done).toEqual({ events: [1, 2, 3], result: 'ok' });
    expect(ch.ended).toBe(true);
  });

  it('close before the first pull: the buffered events still arrive, then the result; later pushes and ends are dropped', async () => {
    const ch = createEventChannel<string, number>();
    ch.push('a');
    ch.push('b');
    ch.close(7);
    ch.push('late');
    ch.fail(new Error('ignored: the first end wins'));
    ch.close(8);
    expect(await drain(ch)).toEqual({ events: ['a', 'b'], result: 7 });
  });

  it('an error after events: the events first, then the error is thrown once (the next pull is done)', async () => {
    const ch = createEventChannel<number>();
    const boom = new Error('load failed');
    const it = ch[Symbol.asyncIterator]();
    ch.push(1);
    ch.fail(boom);
    expect(await it.next()).toEqual({ done: false, value: 1 });
    await expect(it.next()).rejects.toBe(boom);
    expect(await it.next()).toEqual({ done: true, value: undefined });
  });

  it('an error while the consumer waits rejects its pull', async () => {
    const ch = createEventChannel<number>();
    const seen: number[] = [];
    const loop = (async () => {
      for await (const e of ch) seen.push(e);
    })();
    ch.push(1);
    await tick();
    ch.fail(new Error('worker died'));
    await expect(loop).rejects.toThrow('worker died');
    expect(seen).toEqual([1]);
  });

  it('abort mid-stream: a clean end at once (no throw, buffered events dropped), onCancel runs once', async () => {
    const stop = new AbortController();
    let cancels = 0;
    const ch = createEventChannel<number, string>({ signal: stop.signal, onCancel: () => void cancels++ });
    const it = ch[Symbol.asyncIterator]();
    ch.push(1);
    expect(await it.next()).toEqual({ done: false, value: 1 });
    const waiting = it.next();
    ch.push(2);
    ch.push(3); // buffered: nobody pulls it before the abort
    expect(await waiting).toEqual({ done: false, value: 2 });
    stop.abort();
    expect(await it.next()).toEqual({ done: true, value: undefined });
    ch.close('too late');
    ch.push(4);
    expect(await it.next()).toEqual({ done: true, value: undefined });
    await tick();
    expect(cancels).toBe(1);
    expect(ch.ended).toBe(true);
  });

  it('an already aborted signal ends the stream before any event', async () => {
    const stop = new AbortController();
    stop.abort();
    const ch = createEventChannel<number>({ signal: stop.signal });
    ch.push(1);
    expect(await drain(ch)).toEqual({ events: [], result: undefined });
  });

  it('a consumer that breaks out early releases the producer: onCancel runs and the loop exit waits for it', async () => {
    const log: string[] = [];
    const ch = createEventChannel<number>({
      onCancel: async () => {
        log.push('cancel');
        await tick();
        log.push('producer wound down');
      },
    });
    ch.push(1);
    ch.push(2);
    for await (const e of ch) {
      log.push(`event ${e}`);
      break;
    }
    log.push('loop left');
    expect(log).toEqual(['event 1', 'cancel', 'producer wound down', 'loop left']);
    expect(ch.ended).toBe(true);
    expect(await ch.pulled()).toBe(false);
    ch.push(3); // dropped, no throw
  });

  it('onCancel does not run when the stream ended normally, nor more than once', async () => {
    let cancels = 0;
    const stop = new AbortController();
    const ch = createEventChannel<number>({ signal: stop.signal, onCancel: () => void cancels++ });
    ch.push(1);
    ch.close();
    for await (const _ of ch) break;
    stop.abort();
    await tick();
    expect(cancels).toBe(0);
  });

  it('a failing onCancel is ignored (the consumer has already left)', async () => {
    const ch = createEventChannel<number>({ onCancel: () => Promise.reject(new Error('cleanup failed')) });
    ch.push(1);
    for await (const _ of ch) break;
    expect(ch.ended).toBe(true);
  });

  it('pulled() signals demand: true when the consumer waits on an empty buffer, false once ended', async () => {
    const ch = createEventChannel<number>();
    const it = ch[Symbol.asyncIterator]();
    let demanded = false;
    const demand = ch.pulled().then((more) => (demanded = more));
    ch.push(1); // pushed before any pull: no demand yet
    expect(await it.next()).toEqual({ done: false, value: 1 });
    await tick();
    expect(demanded).toBe(false);
    const waiting = it.next(); // now the consumer asks for more than was pushed
    await demand;
    expect(demanded).toBe(true);
    expect(await ch.pulled()).toBe(true); // still waiting
    ch.push(2);
    expect(await waiting).toEqual({ done: false, value: 2 });
    const later = ch.pulled();
    ch.close();
    expect(await later).toBe(false);
  });

  it('has one consumer', () => {
    const ch = createEventChannel<number>();
    ch[Symbol.asyncIterator]();
    expect(() => ch[Symbol.asyncIterator]()).toThrow('one consumer');
  });
});
