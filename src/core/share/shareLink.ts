/**
 * Share links (DESIGN.md §8): `#s=v1.<lz-string>` in the URL fragment, so the state never reaches a
 * server log. The payload is the share state through FIELDS in 'link' mode (short keys, defaults and
 * exactly-recomputable fields left out), as JSON, compressed with lz-string's URL-safe alphabet.
 *
 * Decoding checks everything and never throws: unknown version, corrupt or oversize data, wrong types
 * and hostile values come back as a ShareLinkError whose message says what is wrong and what to do.
 * Nothing here fetches or runs anything.
 */
import LZString from 'lz-string';
import { decodeRecord, encodeRecord, parseJsonNotingHostileKeys, SchemaDecodeError } from './schema';
import { FIELDS } from './shareFields';
import { assertNoSecrets } from './secrets';
import type { ShareState } from './shareState';

export const SHARE_LINK_VERSION = 1;
/** The fragment parameter: `#s=<code>`. */
export const SHARE_HASH_PARAM = 's';
/** Links the app makes stay under this (whole URL); longer states are offered as a bundle file instead. */
export const MAX_SHARE_URL_CHARS = 8_000;
/**
 * Codes the app accepts. lz-string is LZW: the output can grow with the square of the input, so this
 * bounds the work a hostile link can cause (12k characters decompress to at most ~20M, in ~30 ms).
 */
export const MAX_LINK_CODE_CHARS = 12_000;
/** The decompressed JSON (2 MB). */
export const MAX_DECODED_CHARS = 2_000_000;

const CODE_RE = /^v(\d{1,6})\.([A-Za-z0-9+\-$]*)$/;

export type ShareLinkErrorKind = 'empty' | 'unknown-version' | 'corrupt' | 'oversize' | 'invalid' | 'hostile';

export class ShareLinkError extends Error {
  override name = 'ShareLinkError';
  constructor(
    readonly kind: ShareLinkErrorKind,
    message: string,
    /** Where in the state the problem is (invalid and hostile values). */
    readonly path?: string,
  ) {
    super(message);
  }
}

export type ShareDecodeResult = { ok: true; state: ShareState; version: number } | { ok: false; error: ShareLinkError };

export type ShareUrlResult =
  | { ok: true; url: string; code: string; length: number }
  /** Over MAX_SHARE_URL_CHARS (or the state is bigger than a link may carry): offer a bundle. */
  | { ok: false; reason: 'too-long'; length: number };

/**
 * Decoders by link version, each returning the current ShareState. Version 2 adds `2: decodeV2` and
 * turns v1 into `(p) => migrateV1toV2(decodeV1(p))`, with decodeV1 reading a frozen copy of today's FIELDS.
 */
const DECODERS: Readonly<Record<number, (payload: unknown) => ShareState>> = {
  1: (payload) => decodeRecord(FIELDS, payload, 'state', [], 'link') as unknown as ShareState,
};

const ASK_AGAIN = 'Ask the sender for the link again, or for a bundle file.';

/** The state as a code (`v1.<lz>`). `keys`: the user's keys, none of which may be in it. */
export function encodeShareCode(state: ShareState, keys: Readonly<Record<string, string>> = {}): string {
  const json = JSON.stringify(encodeRecord(FIELDS, state as unknown as Record<string, unknown>, [], 'link'));
  assertNoSecrets(json, keys);
  if (json.length > MAX_DECODED_CHARS) throw new ShareLinkError('oversize', `This state is ${json.length} characters of JSON; a link carries at most ${MAX_DECODED_CHARS}. Export a bundle instead.`);
  return `v${SHARE_LINK_VERSION}.${LZString.compressToEncodedURIComponent(json)}`;
}

/** `base` (the app's URL without a fragment) + `#s=<code>`, or too-long when over MAX_SHARE_URL_CHARS. */
export function buildShareUrl(base: string, state: ShareState, keys: Readonly<Record<string, string>> = {}): ShareUrlResult {
  let code: string;
  try {
    code = encodeShareCode(state, keys);
  } catch (err) {
    if (err instanceof ShareLinkError && err.kind === 'oversize') return { ok: false, reason: 'too-long', length: Infinity };
    throw err;
  }
  const url = `${base.split('#')[0] ?? base}#${SHARE_HASH_PARAM}=${code}`;
  return url.length > MAX_SHARE_URL_CHARS ? { ok: false, reason: 'too-long', length: url.length } : { ok: true, url, code, length: url.length };
}

/** The code in a location hash (`#s=…`, other `&`-separated parameters ignored), or null when there is none. */
export function shareCodeFromHash(hash: string): string | null {
  const params = hash.replace(/^#/, '').split('&');
  const prefix = `${SHARE_HASH_PARAM}=`;
  const found = params.find((p) => p.startsWith(prefix));
  return found === undefined ? null : found.slice(prefix.length);
}

/** Decode a code; never throws. */
export function decodeShareCode(input: string): ShareDecodeResult {
  try {
    return decodeUnsafe(input);
  } catch (err) {
    // A bug or an engine limit (deep JSON, memory): still a message, never an exception.
    return failed('corrupt', `This link could not be read (${err instanceof Error ? err.message : String(err)}). ${ASK_AGAIN}`);
  }
}

function failed(kind: ShareLinkErrorKind, message: string, path?: string): ShareDecodeResult {
  return { ok: false, error: new ShareLinkError(kind, message, path) };
}

function decodeUnsafe(input: string): ShareDecodeResult {
  if (typeof input !== 'string' || input.trim() === '') return failed('empty', `This link has no shared state in it. ${ASK_AGAIN}`);
  if (input.length > MAX_LINK_CODE_CHARS * 3) return failed('oversize', `This link is ${input.length} characters long; the app reads links up to ${MAX_LINK_CODE_CHARS}. Use a bundle file for big states.`);
  let code = input.trim().replace(/ /g, '+'); // some chat apps turn '+' into a space
  if (code.includes('%')) {
    try {
      code = decodeURIComponent(code);
    } catch {
      return failed('corrupt', `This link is damaged (bad %-escapes). ${ASK_AGAIN}`);
    }
  }
  if (code.length > MAX_LINK_CODE_CHARS) return failed('oversize', `This link is ${code.length} characters long; the app reads links up to ${MAX_LINK_CODE_CHARS}. Use a bundle file for big states.`);
  const m = CODE_RE.exec(code);
  if (m === null) {
    return /^v\d+\./.test(code) ? failed('corrupt', `This link is damaged (characters a link cannot have). ${ASK_AGAIN}`) : failed('corrupt', `This is not a Router-R1 Studio share link (it should start with v1.). ${ASK_AGAIN}`);
  }
  const version = Number(m[1]);
  const decode = DECODERS[version];
  if (decode === undefined) {
    return failed('unknown-version', version > SHARE_LINK_VERSION
      ? `This link was made by a newer Router-R1 Studio (link version ${version}; this app reads up to ${SHARE_LINK_VERSION}). Open it in the latest version of the app.`
      : `Unknown link version ${version}. ${ASK_AGAIN}`);
  }
  const json = LZString.decompressFromEncodedURIComponent(m[2] ?? '');
  if (json === null || json === '') return failed('corrupt', `This link is damaged or cut short (its data does not decompress). ${ASK_AGAIN}`);
  if (json.length > MAX_DECODED_CHARS) return failed('oversize', `This link unpacks to ${json.length} characters; the app reads at most ${MAX_DECODED_CHARS}. Use a bundle file for big states.`);
  return decodePayload(json, version, decode);
}

function decodePayload(json: string, version: number, decode: (payload: unknown) => ShareState): ShareDecodeResult {
  let parsed: ReturnType<typeof parseJsonNotingHostileKeys>;
  try {
    parsed = parseJsonNotingHostileKeys(json);
  } catch {
    return failed('corrupt', `This link is damaged or cut short (its data is not valid JSON). ${ASK_AGAIN}`);
  }
  const { data: payload, hostile } = parsed;
  if (hostile !== null) return failed('hostile', `This link contains a forbidden field name ("${hostile}") and was not opened.`, hostile);
  try {
    return { ok: true, state: decode(payload), version };
  } catch (err) {
    if (!(err instanceof SchemaDecodeError)) throw err;
    const kind = err.reason === 'is a forbidden key' ? 'hostile' : 'invalid';
    return failed(kind, `This link has an invalid value: ${err.path} ${err.reason}. Nothing was opened. ${ASK_AGAIN}`, err.path);
  }
}
