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
import { chargeText, decodeRecord, encodeRecord, parseJsonNotingHostileKeys, record, SchemaDecodeError, SchemaSizeError } from './schema';
import { FIELDS } from './shareFields';
import { TextBudget } from './textBudget';
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
/**
 * All the text a link may hold once decoded, recomputed fields included (the response repeats every
 * round, a call prompt renders its template): 1M characters (2 MB of UTF-16). A link the app makes is
 * under 8,000 characters; even very repetitive generations compress ~10× in it, and the recomputed
 * copies add ~3×, so ~250k is the most a real link reaches. The bound keeps what a hostile link costs
 * to a few milliseconds of linear work and a few MB; the app offers a bundle for anything bigger.
 * (Per round: MAX_LINK_ROUND_CHARS in shareFields.ts.)
 */
export const MAX_LINK_TEXT_CHARS = 1_000_000;

const linkBudget = (): TextBudget => new TextBudget(MAX_LINK_TEXT_CHARS, 'the link');

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
  1: (payload) => decodeRecord(FIELDS, payload, 'state', [], 'link', linkBudget()) as unknown as ShareState,
};

const ASK_AGAIN = 'Ask the sender for the link again, or for a bundle file.';

/** The state as a code (`v1.<lz>`). `keys`: the user's keys, none of which may be in it. */
export function encodeShareCode(state: ShareState, keys: Readonly<Record<string, string>> = {}): string {
  try {
    chargeText(record('', FIELDS), state, 'state', linkBudget()); // what decoding will charge: the app never makes a link it refuses
  } catch (err) {
    if (err instanceof SchemaSizeError) throw new ShareLinkError('oversize', `This state holds more text than a link may carry (${err.path} ${err.reason}). Export a bundle instead.`, err.path);
    throw err;
  }
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
    // An engine limit (stack, memory) or a bug: still a message in words, never an engine's own text.
    return err instanceof RangeError
      ? failed('corrupt', `This link could not be read: its data is nested too deeply or is too large for this browser. ${ASK_AGAIN}`)
      : failed('corrupt', `This link could not be read: the app failed while decoding it (please report the link). ${ASK_AGAIN}`);
  }
}

function failed(kind: ShareLinkErrorKind, message: string, path?: string): ShareDecodeResult {
  return { ok: false, error: new ShareLinkError(kind, message, path) };
}

function decodeUnsafe(input: string): ShareDecodeResult {
  if (typeof input !== 'string' || input.trim() === '') return failed('empty', `This link has no shared state in it. ${ASK_AGAIN}`);
  if (input.length > MAX_LINK_CODE_CHARS * 3) return failed('oversize', `This link is ${input.length} characters long; the app reads links up to ${MAX_LINK_CODE_CHARS}. Use a bundle file for big states.`);
  let code = input.trim();
  if (code.includes('%')) {
    try {
      code = decodeURIComponent(code);
    } catch {
      return failed('corrupt', `This link is damaged (bad %-escapes). ${ASK_AGAIN}`);
    }
  }
  // After %-decoding: some chat apps turn '+' into a space, which the browser then hands over as %20.
  code = code.trim().replace(/ /g, '+');
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
  const json = decompress(m[2] ?? '');
  if (json === null || json === '') return failed('corrupt', `This link is damaged or cut short (its data does not decompress). ${ASK_AGAIN}`);
  if (json.length > MAX_DECODED_CHARS) return failed('oversize', `This link unpacks to ${json.length} characters; the app reads at most ${MAX_DECODED_CHARS}. Use a bundle file for big states.`);
  return decodePayload(json, version, decode);
}

/** lz-string throws its own TypeError (`charAt` of undefined) on some damaged inputs: that is damage too. */
function decompress(body: string): string | null {
  try {
    return LZString.decompressFromEncodedURIComponent(body);
  } catch {
    return null;
  }
}

function decodePayload(json: string, version: number, decode: (payload: unknown) => ShareState): ShareDecodeResult {
  let parsed: ReturnType<typeof parseJsonNotingHostileKeys>;
  try {
    parsed = parseJsonNotingHostileKeys(json);
  } catch (err) {
    if (err instanceof RangeError) return failed('corrupt', `This link's data is nested too deeply to read. ${ASK_AGAIN}`);
    return failed('corrupt', `This link is damaged or cut short (its data is not valid JSON). ${ASK_AGAIN}`);
  }
  const { data: payload, hostile } = parsed;
  if (hostile !== null) return failed('hostile', `This link contains a forbidden field name ("${hostile}") and was not opened.`, hostile);
  try {
    return { ok: true, state: decode(payload), version };
  } catch (err) {
    if (err instanceof SchemaSizeError) {
      return failed('oversize', `This link holds more text than the app opens from a link: ${err.path} ${err.reason}. Nothing was opened. Ask the sender for a bundle file instead.`, err.path);
    }
    if (!(err instanceof SchemaDecodeError)) throw err;
    const kind = err.reason === 'is a forbidden key' ? 'hostile' : 'invalid';
    return failed(kind, `This link has an invalid value: ${err.path} ${err.reason}. Nothing was opened. ${ASK_AGAIN}`, err.path);
  }
}
