/**
 * The last check before anything leaves the app (link, bundle, export): none of the user's keys may
 * appear in the text. Records hold no keys by construction; this catches a key pasted into a field
 * that is shared (a model id, a question), which no type can prevent.
 */

/** Shorter values are not checked: "none" or "EMPTY" for a local server would block every export. */
export const MIN_SECRET_CHARS = 8;

export class SecretLeakError extends Error {
  override name = 'SecretLeakError';
}

/**
 * Throws SecretLeakError when a key (by provider id) appears in `text`, raw or JSON-escaped. The
 * message names the provider, never the key.
 */
export function assertNoSecrets(text: string, keys: Readonly<Record<string, string>>): void {
  for (const [providerId, raw] of Object.entries(keys)) {
    const key = raw.trim();
    if (key.length < MIN_SECRET_CHARS) continue;
    const escaped = JSON.stringify(key).slice(1, -1);
    if (text.includes(key) || text.includes(escaped)) {
      throw new SecretLeakError(
        `Nothing was exported: the text contains your ${providerId} API key (pasted into a model id, question or other shared field?). Remove it there and try again.`,
      );
    }
  }
}
