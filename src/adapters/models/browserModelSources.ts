/**
 * Browser model sources (DESIGN.md §3): a URL prefix over the page's fetch (streaming, progress, abort,
 * Range reads — core/model/urlModelSource.ts does the work), and the embedded folder `public/models/<name>/`,
 * which Vite serves at `./models/<name>/` under any base path.
 *
 * Not for: caching (modelCache.ts) or picked files (fileModelSource.ts).
 */
import type { FetchLike } from '../../core/providers/fetchPort';
import type { ModelSource } from '../../core/model/modelSource';
import { createUrlModelSource } from '../../core/model/urlModelSource';

/** The page's fetch as core's FetchLike (a Response satisfies FetchResponseLike). */
export function bindFetch(fetchFn: typeof fetch = globalThis.fetch.bind(globalThis)): FetchLike {
  return (url, init) => fetchFn(url, { method: init.method, headers: init.headers, body: init.body ?? null, signal: init.signal ?? null });
}

/** Where relative URLs resolve: the document's base in a page; pass the app's base URL explicitly from a worker. */
export function defaultBaseUrl(): string {
  const g = globalThis as { document?: { baseURI?: string }; location?: { href?: string } };
  return g.document?.baseURI ?? g.location?.href ?? 'http://localhost/';
}

/** Any URL prefix holding a model folder, e.g. https://huggingface.co/<repo>/resolve/main/. */
export function createBrowserUrlModelSource(prefix: string, opts: { fetch?: typeof fetch; baseUrl?: string } = {}): ModelSource {
  const absolute = new URL(prefix, opts.baseUrl ?? defaultBaseUrl()).href;
  return createUrlModelSource(absolute, { fetch: bindFetch(opts.fetch) });
}

/** The embedded model `public/models/<name>/` (served at `<base>models/<name>/`). */
export function createEmbeddedModelSource(name: string, opts: { fetch?: typeof fetch; baseUrl?: string } = {}): ModelSource {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`"${name}" is not an embedded model name.`);
  return createBrowserUrlModelSource(`models/${name}/`, opts);
}
