// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { loadModelFolder } from '../../core/model/modelFolder';
import { makeTinyRouterFolder } from '../../core/model/tinyRouter';
import { createBrowserUrlModelSource, createEmbeddedModelSource } from './browserModelSources';

/** A fetch over the tiny folder at http://app.test/sub/models/tiny-router/ (a Response per request). */
function folderFetch(): typeof fetch & { urls: string[] } {
  const urls: string[] = [];
  const files = makeTinyRouterFolder();
  const f = (async (input: RequestInfo | URL) => {
    const url = String(input);
    urls.push(url);
    const path = url.replace('http://app.test/sub/models/tiny-router/', '');
    const c = files.get(path);
    return c === undefined ? new Response('not found', { status: 404 }) : new Response(c as BodyInit, { headers: { 'Content-Length': String(typeof c === 'string' ? new TextEncoder().encode(c).length : c.byteLength) } });
  }) as typeof fetch & { urls: string[] };
  f.urls = urls;
  return f;
}

describe('browser model sources', () => {
  it('the embedded folder resolves under the app base path (./models/<name>/)', async () => {
    const fetch = folderFetch();
    const model = await loadModelFolder(createEmbeddedModelSource('tiny-router', { fetch, baseUrl: 'http://app.test/sub/index.html' }));
    expect(model.config.hiddenSize).toBe(64);
    expect(fetch.urls).toContain('http://app.test/sub/models/tiny-router/onnx/model_q4.onnx');
    expect(() => createEmbeddedModelSource('../x')).toThrow(/not an embedded model name/);
  });

  it('a URL prefix without a trailing slash still stays inside the folder', async () => {
    const src = createBrowserUrlModelSource('http://app.test/sub/models/tiny-router', { fetch: folderFetch() });
    expect(src.location).toBe('http://app.test/sub/models/tiny-router/');
    expect(await src.exists('router.json')).toBe(true);
    expect(await src.exists('nope.json')).toBe(false);
  });
});
