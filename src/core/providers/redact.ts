/**
 * Keeping keys out of everything that leaves a provider call: error messages, thrown errors, replies.
 * A key is sent only in the auth header to its provider's base URL (DESIGN.md §5); provider error
 * bodies can echo it, so every text that crosses back is passed through here.
 */

export const REDACTED = '[redacted]';

/** Bearer tokens and common key shapes, redacted in error texts even when they are not the caller's key. */
const KEY_PATTERNS = [/\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/g, /\b(?:sk|pk|rk)-[A-Za-z0-9_-]{8,}/g];

/** Replaces every occurrence of each secret (and, with `patterns`, key-like tokens) by "[redacted]". */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[], opts: { patterns?: boolean } = {}): string {
  let out = text;
  for (const secret of secrets) {
    // Very short "keys" (local servers accept anything) would redact ordinary words; skip them.
    if (secret === undefined || secret.length < 6) continue;
    out = out.split(secret).join(REDACTED);
  }
  if (opts.patterns === true) for (const p of KEY_PATTERNS) out = out.replace(p, REDACTED);
  return out;
}
