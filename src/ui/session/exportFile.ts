/**
 * The one way text leaves the app as a file — trajectory JSON, evaluation JSONL/CSV/state files, bundles:
 * the user's keys are looked for first (core's assertNoSecrets), and a text holding one is never saved
 * (SecretLeakError, whose message names the provider, never the key). The save itself is injected
 * (`browserSaveFile` in the app, a recorder in tests). Must not: build the text or touch the store.
 */
import { assertNoSecrets } from '../../core';

/** Saves text as a file named `fileName` of MIME `type`. */
export type SaveFile = (fileName: string, text: string, type: string) => void;

/** The browser's download: an object URL on a temporary link. DOM only; no state. */
export const browserSaveFile: SaveFile = (fileName, text, type) => {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
};

/** Saves `text` unless it contains one of `keys` (then throws SecretLeakError and saves nothing). */
export function exportFile(save: SaveFile, keys: Readonly<Record<string, string>>, fileName: string, text: string, type = 'application/json'): void {
  assertNoSecrets(text, keys);
  save(fileName, text, type);
}
