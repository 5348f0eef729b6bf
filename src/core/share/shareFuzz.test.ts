/**
 * Property-based tests of links and bundles: random valid states generated from the field tables
 * themselves round-trip unchanged, and tens of thousands of random, mutated, truncated and hostile
 * inputs decode to a result (never an exception), with a message for every failure.
 *
 * The rng is a local xorshift32 (core/math has no seeded rng yet); the seed is fixed, so a failure
 * reproduces. Set SHARE_FUZZ_SEED to explore other seeds.
 */
import LZString from 'lz-string';
import { describe, expect, it } from 'vitest';
import { BUNDLE_FIELDS, createBundle, parseBundle, serializeBundle, type Bundle } from './bundle';
import { type Field, type Table } from './schema';
import { FIELDS } from './shareFields';
import { decodeShareCode, encodeShareCode, MAX_LINK_CODE_CHARS, ShareLinkError, type ShareDecodeResult } from './shareLink';
import type { ShareState } from './shareState';

type Rng = () => number; // [0, 1)

function xorshift32(seed: number): Rng {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

const SEED = Number(process.env['SHARE_FUZZ_SEED'] ?? 20250611);
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;
const intIn = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));

// Texts mix plain words, protocol tags, quotes, escapes, non-ASCII and a lone surrogate.
const PIECES = ['a', 'Z', ' ', '0', '<think>', '</search>', '<answer>', ':', '"', '\\', '\n', 'é', '漢', '🙂', '\ud800', '{query}', '$', '+', '-', '%'];

function genString(rng: Rng, field: Field & { kind: 'string' }): string {
  const n = intIn(rng, 0, Math.min(field.maxLength, 12));
  let s = '';
  const chars = field.chars;
  for (let i = 0; i < n; i++) s += chars !== undefined ? pick(rng, [...chars]) : pick(rng, PIECES);
  return s.slice(0, field.maxLength);
}

function genNumber(rng: Rng, field: Field & { kind: 'int' | 'float' }): number {
  const span = Math.min(field.max - field.min, 1e6);
  const r = rng();
  let v = r < 0.15 ? field.min : r < 0.25 ? field.max : field.min + rng() * span;
  if (field.kind === 'int') v = Math.min(field.max, Math.max(field.min, Math.round(v)));
  return Object.is(v, -0) ? 0 : v;
}

function genValue(rng: Rng, field: Field): unknown {
  if (field.nullable === true && rng() < 0.2) return null;
  if (field.default !== undefined && rng() < 0.25) return structuredClone(field.default);
  switch (field.kind) {
    case 'int':
    case 'float':
      return genNumber(rng, field);
    case 'bool':
      return rng() < 0.5;
    case 'string':
      return genString(rng, field);
    case 'enum':
      return pick(rng, field.values);
    case 'list':
      return Array.from({ length: intIn(rng, 0, Math.min(field.maxItems, 3)) }, () => genValue(rng, field.of));
    case 'record':
      return genRecord(rng, field.fields);
    case 'union': {
      const tag = pick(rng, Object.keys(field.variants));
      return { [field.tag]: tag, ...genRecord(rng, field.variants[tag] ?? {}) };
    }
  }
}

function genRecord(rng: Rng, table: Table): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(table)) {
    if (field.optional === true && rng() < 0.5) continue;
    out[name] = genValue(rng, field);
  }
  return out;
}

/** The one cross-field rule the generator does not know: a call's pool index is inside the pool. */
function repairTrajectory(t: Record<string, unknown> | undefined): void {
  if (t === undefined) return;
  const poolSize = (t['pool'] as unknown[]).length;
  for (const round of t['rounds'] as { call: { poolIndex: number | null } | null }[]) {
    if (round.call !== null && round.call.poolIndex !== null && round.call.poolIndex >= poolSize) round.call.poolIndex = poolSize === 0 ? null : round.call.poolIndex % poolSize;
  }
}

function genState(rng: Rng): ShareState {
  const s = genRecord(rng, FIELDS);
  repairTrajectory(s['trajectory'] as Record<string, unknown> | undefined);
  return s as unknown as ShareState;
}

function genBundle(rng: Rng): Bundle {
  const b = genRecord(rng, BUNDLE_FIELDS);
  for (const t of b['trajectories'] as Record<string, unknown>[]) repairTrajectory(t);
  return b as unknown as Bundle;
}

const KINDS = new Set(['empty', 'unknown-version', 'corrupt', 'oversize', 'invalid', 'hostile']);

function expectWellFormed(r: ShareDecodeResult): void {
  if (r.ok) return;
  expect(r.error).toBeInstanceOf(ShareLinkError);
  expect(KINDS.has(r.error.kind)).toBe(true);
  expect(r.error.message.length).toBeGreaterThan(10);
}

/** A random text edit: flip, delete, insert, duplicate, truncate. */
function mutateText(rng: Rng, s: string, alphabet: string): string {
  const i = intIn(rng, 0, Math.max(0, s.length - 1));
  switch (intIn(rng, 0, 4)) {
    case 0:
      return s.slice(0, i) + pick(rng, [...alphabet]) + s.slice(i + 1);
    case 1:
      return s.slice(0, i) + s.slice(i + intIn(rng, 1, 8));
    case 2:
      return s.slice(0, i) + pick(rng, [...alphabet]) + s.slice(i);
    case 3:
      return s.slice(0, i) + s.slice(i, i + 20).repeat(3) + s.slice(i);
    default:
      return s.slice(0, i);
  }
}

const HOSTILE_VALUES: unknown[] = [null, true, -1, 1e308, -1e308, 0.5, 2 ** 53, '', [], {}, '__proto__', [[[[[]]]]], JSON.parse('{"__proto__": {"polluted": true}}')];
/** Over every length bound; rare, because compressing them is the slow part of this test. */
const HUGE_VALUES: unknown[] = ['x'.repeat(200_001), Array(70_000).fill(0)];
const hostileValue = (rng: Rng): unknown => structuredClone(rng() < 0.02 ? pick(rng, HUGE_VALUES) : pick(rng, HOSTILE_VALUES));

/** Replace one random node of a JSON value with a hostile one, or add a hostile key. */
function mutateJson(rng: Rng, v: unknown): unknown {
  if (rng() < 0.15 || v === null || typeof v !== 'object') return hostileValue(rng);
  if (Array.isArray(v)) {
    if (v.length === 0) return [hostileValue(rng)];
    const i = intIn(rng, 0, v.length - 1);
    return v.map((x, j) => (j === i ? mutateJson(rng, x) : x));
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0 || rng() < 0.1) {
    // JSON.parse makes "__proto__" an own key, as a received link would.
    const key = pick(rng, ['__proto__', 'constructor', 'prototype', 'zz', 'toString']);
    const rest = JSON.stringify(v).slice(1, -1);
    return JSON.parse(`{${JSON.stringify(key)}: {"polluted": true}${rest === '' ? '' : `, ${rest}`}}`);
  }
  const i = intIn(rng, 0, entries.length - 1);
  return Object.fromEntries(entries.map(([k, x], j) => [k, j === i ? mutateJson(rng, x) : x]));
}

const LZ_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$';

describe('share links, property-based', () => {
  const rng = xorshift32(SEED);
  const states = Array.from({ length: 1_500 }, () => genState(rng));
  const codes: string[] = [];

  it('every valid state round-trips unchanged (encode → decode → deep equal)', () => {
    let roundTripped = 0;
    for (const state of states) {
      const code = encodeShareCode(state);
      codes.push(code);
      const r = decodeShareCode(code);
      if (code.length > MAX_LINK_CODE_CHARS) {
        expect(r.ok ? 'ok' : r.error.kind).toBe('oversize');
        continue;
      }
      if (!r.ok) throw new Error(`a valid state did not decode: ${r.error.message}\n${JSON.stringify(state)}`);
      expect(r.state).toEqual(state);
      roundTripped++;
    }
    expect(roundTripped).toBeGreaterThan(1_400);
  });

  it('decodes 12,000 random, mutated and hostile links without an exception', { timeout: 60_000 }, () => {
    let decoded = 0;
    const run = (code: string): ShareDecodeResult => {
      const r = decodeShareCode(code);
      expectWellFormed(r);
      decoded++;
      return r;
    };
    // 1. random strings, with and without a plausible prefix
    for (let i = 0; i < 1_500; i++) {
      const body = Array.from({ length: intIn(rng, 0, 200) }, () => pick(rng, [...LZ_ALPHABET, '%', ' ', '#', '.', 'é'])).join('');
      run(pick(rng, ['', 'v1.', 'v2.', 'v0.', 'v999999.', 'x']) + body);
    }
    // 2. text mutations of valid links (most break the compression; some still decode)
    for (let i = 0; i < 7_500; i++) {
      const code = mutateText(rng, codes[i % codes.length] ?? 'v1.', LZ_ALPHABET);
      const r = run(code);
      // Whatever decodes is a valid state, and it is stable under re-encoding.
      if (r.ok) {
        const again = decodeShareCode(encodeShareCode(r.state));
        expect(again.ok && again.state).toEqual(r.state);
      }
    }
    // 3. valid compression of hostile JSON: only the validator stands between it and the app
    for (let i = 0; i < 3_000; i++) {
      const code = codes[i % codes.length] ?? 'v1.';
      const payload = JSON.parse(LZString.decompressFromEncodedURIComponent(code.slice(3))) as unknown;
      const r = run(`v1.${LZString.compressToEncodedURIComponent(JSON.stringify(mutateJson(rng, payload)))}`);
      if (!r.ok) expect(r.error.message).not.toMatch(/could not be read/); // an unexpected exception inside the decoder
    }
    expect(decoded).toBeGreaterThanOrEqual(12_000);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('bundles, property-based', () => {
  const rng = xorshift32(SEED ^ 0x5eed);

  it('valid bundles round-trip, and 3,000 mutated files are refused with a message, never an exception', () => {
    const texts: string[] = [];
    for (let i = 0; i < 300; i++) {
      const bundle = genBundle(rng);
      const text = serializeBundle(bundle);
      texts.push(text);
      const r = parseBundle(text);
      if (!r.ok) throw new Error(`a valid bundle did not parse: ${r.error.message}`);
      expect(r.bundle).toEqual(bundle);
    }
    let refused = 0;
    for (let i = 0; i < 3_000; i++) {
      const base = texts[i % texts.length] ?? '{}';
      const text = i % 2 === 0 ? mutateText(rng, base, '{}[]":,0123456789abcnull ') : JSON.stringify(mutateJson(rng, JSON.parse(base)));
      const r = parseBundle(text);
      if (!r.ok) {
        refused++;
        expect(r.error.message.length).toBeGreaterThan(10);
        expect(r.error.message).not.toMatch(/could not be read/);
      }
    }
    expect(refused).toBeGreaterThan(2_000);
  });

  it('createBundle of generated states serializes and parses back', () => {
    for (let i = 0; i < 200; i++) {
      const s = genState(rng);
      const bundle = createBundle({ configuration: s.config, trajectories: s.trajectory === undefined ? [] : [s.trajectory], ...(s.evaluation === undefined ? {} : { results: s.evaluation }) });
      const r = parseBundle(serializeBundle(bundle));
      expect(r.ok && r.bundle).toEqual(bundle);
    }
  });
});
