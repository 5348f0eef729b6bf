import { describe, expect, it } from 'vitest';
import type { FetchInit, FetchLike, FetchResponseLike } from '../providers/fetchPort';
import { openByteSource } from './modelSource';
import { createUrlModelSource } from './urlModelSource';

/** A stub server: files by URL, Range support switchable, bodies streamed in 3-byte chunks. */
function stubFetch(files: Record<string, Uint8Array>, opts: { ranges?: boolean; status?: number; spaFallback?: Uint8Array } = {}): FetchLike & { calls: [string, FetchInit][] } {
  const calls: [string, FetchInit][] = [];
  const f = (async (url: string, init: FetchInit): Promise<FetchResponseLike> => {
    calls.push([url, init]);
    init.signal?.throwIfAborted();
    const file = files[url];
    const respond = (status: number, body: Uint8Array, headers: Record<string, string>): FetchResponseLike => {
      let at = 0;
      return {
        ok: status >= 200 && status < 300,
        status,
        headers: { get: (n: string) => headers[n.toLowerCase()] ?? null },
        text: async () => new TextDecoder().decode(body),
        body: { getReader: () => ({ read: async () => (at >= body.length ? { done: true } : { done: false, value: body.subarray(at, (at += 3)) }), cancel: async () => undefined }) },
      };
    };
    if (opts.status !== undefined) return respond(opts.status, new Uint8Array(), {});
    if (file === undefined && opts.spaFallback !== undefined) return respond(200, opts.spaFallback, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(opts.spaFallback.length) });
    if (file === undefined) return respond(404, new Uint8Array(), {});
    const range = /bytes=(\d+)-(\d+)/.exec(init.headers['Range'] ?? '');
    if (range !== null && opts.ranges !== false) {
      const [a, b] = [Number(range[1]), Math.min(Number(range[2]), file.length - 1)];
      return respond(206, file.subarray(a, b + 1), { 'content-range': `bytes ${a}-${b}/${file.length}`, 'content-length': String(b - a + 1) });
    }
    return respond(200, file, { 'content-length': String(file.length) });
  }) as FetchLike & { calls: [string, FetchInit][] };
  f.calls = calls;
  return f;
}

const bytes = Uint8Array.from({ length: 20 }, (_, i) => i);
const prefix = 'https://huggingface.co/ulab-ai/Router-R1-Qwen2.5-3B-Instruct/resolve/main';

describe('createUrlModelSource', () => {
  it('streams a file with progress under a resolve/main/ prefix', async () => {
    const fetch = stubFetch({ [`${prefix}/onnx/model_q4.onnx`]: bytes, [`${prefix}/config.json`]: new TextEncoder().encode('{"a":1}') });
    const src = createUrlModelSource(prefix, { fetch });
    const seen: number[] = [];
    expect(await src.readBytes('onnx/model_q4.onnx', { onProgress: (p) => seen.push(p.loadedBytes) })).toEqual(bytes);
    expect(seen).toEqual([3, 6, 9, 12, 15, 18, 20]);
    expect(await src.readText('config.json')).toBe('{"a":1}');
    expect(await src.exists('config.json')).toBe(true);
    expect(await src.exists('tokenizer.json')).toBe(false);
    await expect(src.readBytes('tokenizer.json')).rejects.toMatchObject({ name: 'ModelSourceError', missing: true });
  });

  it('reads byte ranges with Range requests, or the whole file once when the server ignores Range', async () => {
    const files = { [`${prefix}/model.safetensors`]: bytes };
    const ranged = stubFetch(files);
    const src = await openByteSource(createUrlModelSource(prefix, { fetch: ranged }), 'model.safetensors');
    expect(src.size).toBe(20);
    expect(await src.read(5, 4)).toEqual(Uint8Array.from([5, 6, 7, 8]));
    expect(ranged.calls.at(-1)?.[1].headers['Range']).toBe('bytes=5-8');
    await expect(src.read(18, 4)).rejects.toThrow(/past the end of a 20-byte file: it is truncated/);
    const plain = await openByteSource(createUrlModelSource(prefix, { fetch: stubFetch(files, { ranges: false }) }), 'model.safetensors');
    expect(await plain.read(5, 4)).toEqual(Uint8Array.from([5, 6, 7, 8]));
  });

  it('cancels on abort and explains gated repos', async () => {
    const src = createUrlModelSource(prefix, { fetch: stubFetch({ [`${prefix}/x`]: bytes }) });
    const ac = new AbortController();
    let n = 0;
    const read = src.readBytes('x', { signal: ac.signal, onProgress: () => ++n === 2 && ac.abort(new Error('cancelled by user')) });
    await expect(read).rejects.toThrow('cancelled by user');
    const gated = createUrlModelSource(prefix, { fetch: stubFetch({}, { status: 401 }) });
    await expect(gated.readText('config.json')).rejects.toThrow(/HTTP 401.*gated or private/);
  });

  it("treats a web app's index-page fallback (200, text/html) as a missing file, not as its bytes", async () => {
    const page = new TextEncoder().encode('<!doctype html><html></html>');
    const src = createUrlModelSource(prefix, { fetch: stubFetch({ [`${prefix}/onnx/model_q4.onnx`]: bytes }, { spaFallback: page }) });
    expect(await src.exists('onnx/model.onnx')).toBe(false);
    await expect(src.readBytes('onnx/model.onnx')).rejects.toMatchObject({ name: 'ModelSourceError', missing: true, message: expect.stringMatching(/HTML page/) });
    expect(await src.exists('onnx/model_q4.onnx')).toBe(true);
    expect(await src.readBytes('onnx/model_q4.onnx')).toEqual(bytes);
  });
});
