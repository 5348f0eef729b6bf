/**
 * The minimal fetch shape core needs to call candidate providers. Core has no DOM lib, so these types
 * describe only what providers use; `globalThis.fetch` (browser) and Node's fetch both satisfy them.
 * The real fetch is bound once, in an adapter, and injected.
 */

export interface FetchInit {
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** A streaming body read chunk by chunk (a WHATWG ReadableStream reader, minimally typed). */
export interface BodyReaderLike {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(reason?: unknown): Promise<void>;
  releaseLock?(): void;
}

export interface FetchResponseLike {
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  body?: { getReader(): BodyReaderLike } | null;
}

export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponseLike>;

/** Waits `ms`; rejects (or resolves early) when `signal` aborts. Injected so tests control time. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;
