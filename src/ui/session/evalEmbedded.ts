/**
 * The embedded policies the Evaluate view offers: embedded.json's variants and warm-ups, read once
 * through the injected reader (main.tsx binds the page's fetch) and kept in the store, sorted by α. A
 * missing index leaves them out with the reason. Must not: fetch by itself (src/ui has no global fetch).
 */
import { EMBEDDED_INDEX_FILE, parseEmbeddedIndex } from '../../core';
import type { AppStore } from '../store/appStore';
import type { EmbeddedVariant, EmbeddedWarmup } from './evalMethods';

/** Reads a JSON file of the app by URL (the page's fetch in the app). */
export type JsonReader = (url: string) => Promise<unknown>;

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function embeddedVariantsOf(store: AppStore): EmbeddedVariant[] {
  const e = store.getState().evalEmbedded;
  return e.status === 'ready' ? e.variants : [];
}

export function embeddedWarmupsOf(store: AppStore): readonly EmbeddedWarmup[] {
  const e = store.getState().evalEmbedded;
  return e.status === 'ready' ? (e.warmups ?? []) : [];
}

/** `<baseUrl>models/embedded.json` (a relative base, as in tests, is joined as text). */
export function embeddedIndexUrl(baseUrl: string): string {
  const path = `models/${EMBEDDED_INDEX_FILE}`;
  try {
    return new URL(path, baseUrl).href;
  } catch {
    return `${baseUrl.replace(/[^/]*$/, '')}${path}`;
  }
}

/** Reads embedded.json once (the view calls it when it opens); `read` absent: the page has no reader and says so. */
export async function loadEmbeddedVariants(store: AppStore, baseUrl: string, read: JsonReader | undefined): Promise<void> {
  const s = store.getState;
  const now = s().evalEmbedded.status;
  if (now === 'loading' || now === 'ready') return;
  s().setEvalEmbedded({ status: 'loading' });
  const url = embeddedIndexUrl(baseUrl);
  try {
    if (read === undefined) throw new Error('this page has no file reader');
    const index = parseEmbeddedIndex(await read(url));
    const variants = [...index.variants].sort((a, b) => a.alpha - b.alpha);
    const warmups = index.warmups === undefined ? [] : [...index.warmups].sort((a, b) => a.alpha - b.alpha);
    s().setEvalEmbedded({ status: 'ready', variants, ...(warmups.length === 0 ? {} : { warmups }) });
  } catch (err) {
    s().setEvalEmbedded({ status: 'failed', error: `The embedded policies are not listed (${url}: ${message(err)}); train them with \`npm run -s cli -- train-default\`.` });
  }
}
