/**
 * Property-based tests of links and bundles: random valid states generated from the field tables
 * themselves round-trip unchanged, and tens of thousands of random, mutated, truncated and hostile
 * inputs decode to a result (never an exception), with a message for every failure.
 *
 * The adversarial block times every decode of hostile constructions (unclosed-tag rounds, templates
 * that multiply a query, oversize replies, '+'/%20 damage, bodies lz-string chokes on) and checks the
 * size caps on whatever opens.
 *
 * The rng is core's seeded rng (core/math/rng.ts); the seed is fixed, so a failure reproduces. Set SHARE_FUZZ_SEED to explore other seeds.
 */
import { hrtime } from 'node:process';
import LZString from 'lz-string';
import { describe, expect, it } from 'vitest';
import { createRng } from '../math/rng';
import { buildExampleTrajectory } from '../run/exampleTrajectory';
import { BundleError, BUNDLE_FIELDS, createBundle, parseBundle, serializeBundle, type Bundle } from './bundle';
import { encodeRecord, type Field, type Table } from './schema';
import { FIELDS, MAX_LINK_ROUND_CHARS } from './shareFields';
import { decodeShareCode, encodeShareCode, MAX_LINK_CODE_CHARS, MAX_LINK_TEXT_CHARS, ShareLinkError, type ShareDecodeResult } from './shareLink';
import { configOfTrajectory, type ShareState } from './shareState';

type Rng = () => number; // [0, 1)

/** A uniform source in [0, 1) from core's seeded rng. */
function seededUniform(seed: number): () => number {
  const rng = createRng(seed);
  return () => rng.nextFloat();
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
  const rng = seededUniform(SEED);
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
  const rng = seededUniform(SEED ^ 0x5eed);

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

// ── adversarial links: bounded cost, typed errors, caps on what opens ───────────────────────────────
/** Every string in a value (an independent count: enum and tag strings included, which the budget does not charge). */
const textIn = (v: unknown): number =>
  typeof v === 'string' ? v.length : Array.isArray(v) ? v.reduce((n: number, x) => n + textIn(x), 0) : v !== null && typeof v === 'object' ? Object.values(v).reduce((n: number, x) => n + textIn(x), 0) : 0;
/** Enum/tag strings per record the budget leaves out (type, reason, error kind, status…): at most this many characters. */
const ENUM_SLACK_ROUND = 64;
const ENUM_SLACK_LINK = 65 * ENUM_SLACK_ROUND + 256;

const TAGS = ['<search>', '<answer>', '<think>', '<information>', '</search>', '<search>M: q'];
const secondsOf = (f: () => void): number => {
  const t0 = hrtime.bigint();
  f();
  return Number(hrtime.bigint() - t0) / 1e9;
};

describe('adversarial links and bundles, timed', () => {
  it('10,000+ hostile inputs: each decodes within the caps or is refused with a typed error; the slowest is printed', { timeout: 240_000 }, async () => {
    const rng = seededUniform(SEED ^ 0xad5e);
    const example = await buildExampleTrajectory();
    const wire = encodeRecord(FIELDS, { config: configOfTrajectory(example), trajectory: example } as never, [], 'link') as { t: Record<string, unknown> };
    const link = (edit: (t: Record<string, unknown>) => void): string => {
      const w = structuredClone(wire);
      edit(w.t);
      return `v1.${LZString.compressToEncodedURIComponent(JSON.stringify(w))}`;
    };
    const round = (i: number, w: string, call = rng() < 0.5): Record<string, unknown> => ({ i, w, x: 1, ...(call ? { c: { i: intIn(rng, 0, 2) } } : {}) });
    const valid = encodeShareCode({ config: configOfTrajectory(example), trajectory: example });
    const inputs: { what: string; code: string }[] = [];
    // 1. the issue's constructions, scaled: rounds of repeated (mostly unclosed) tags
    // (most kept under 400k characters, a few at the 2M a link may unpack to: compressing them is the slow part)
    const tagRounds = (n: number, tag: string, reps: number): void => {
      inputs.push({ what: `${n} rounds of ${tag} ×${reps}`, code: link((t) => (t['r'] = Array.from({ length: n }, (_, j) => round(j, tag.repeat(reps))))) });
    };
    tagRounds(9, '<search>', 25_000); // the issue's 10.6 KB link
    tagRounds(1, '<search>', 25_000); // its 3.1 KB single round
    for (let i = 0; i < 30; i++) {
      const tag = pick(rng, TAGS);
      const reps = intIn(rng, 1, 25_000);
      tagRounds(intIn(rng, 1, Math.min(12, Math.floor((i < 3 ? 2e6 : 4e5) / (reps * tag.length)) + 1)), tag, reps);
    }
    // 2. templates that multiply the query, and long queries
    for (let i = 0; i < 40; i++) {
      const fields = intIn(rng, 1, 3_000);
      const q = intIn(rng, 1, 199_000);
      const tpl = pick(rng, ['{query}', '{query}{{', '}}{query!s}', '{query:}']).repeat(fields);
      inputs.push({ what: `template of ${fields} fields, query of ${q}`, code: link((t) => ((t['at'] = tpl), (t['r'] = [round(0, `<search>LLaMA-3.1-8B-Instruct:${'q'.repeat(q)}</search>`, true)]))) });
    }
    // 3. big replies, observations and explicit responses
    for (let i = 0; i < 20; i++) {
      const len = intIn(rng, 1, 200_000);
      const n = intIn(rng, 1, Math.min(65, Math.floor((i < 2 ? 1.2e6 : 3e5) / len) + 1));
      inputs.push({ what: `${n} rounds with ${len}-character replies`, code: link((t) => (t['r'] = Array.from({ length: n }, (_, j) => ({ ...round(j, '<search>Qwen: q</search>', false), c: { i: 0, y: 'r'.repeat(len) } })))) });
    }
    // 4. damaged transport: '+' as space or %20, %-escaping, and bodies lz-string throws on
    for (let i = 0; i < 1_600; i++) {
      const r = rng();
      const code = r < 0.25 ? valid.replace(/\+/g, ' ') : r < 0.5 ? valid.replace(/\+/g, '%20') : r < 0.6 ? encodeURIComponent(valid) : `v1.${Array.from({ length: intIn(rng, 1, 16) }, () => pick(rng, [...LZ_ALPHABET])).join('')}`;
      inputs.push({ what: 'transport', code });
    }
    // 5. random text mutations of the hostile and valid codes
    const seeds = inputs.slice(0, 100).map((x) => x.code);
    for (let i = 0; i < 8_400; i++) inputs.push({ what: 'mutation', code: mutateText(rng, rng() < 0.1 ? pick(rng, seeds) : valid, LZ_ALPHABET) });

    let slowest = { what: '', seconds: 0, length: 0 };
    let opened = 0;
    let total = 0;
    for (const { what, code } of inputs) {
      let r: ShareDecodeResult | undefined;
      const seconds = secondsOf(() => (r = decodeShareCode(code)));
      total += seconds;
      if (seconds > slowest.seconds) slowest = { what, seconds, length: code.length };
      // Not a timing assertion (the target is 200 ms, measured and printed below): 2 s only catches a
      // return of super-linear behaviour, which took 96 s on these inputs, without flaking on a busy machine.
      expect(seconds, what).toBeLessThan(2);
      if (!r!.ok) {
        expectWellFormed(r!);
        expect(r!.error.message, what).not.toMatch(/TypeError|charAt|undefined|could not be read/);
        continue;
      }
      opened++;
      const t = r!.state.trajectory;
      expect(textIn(r!.state)).toBeLessThanOrEqual(MAX_LINK_TEXT_CHARS + ENUM_SLACK_LINK);
      for (const rd of t?.rounds ?? []) expect(textIn(rd)).toBeLessThanOrEqual(MAX_LINK_ROUND_CHARS + ENUM_SLACK_ROUND);
    }
    console.log(`adversarial links: ${inputs.length} decoded in ${total.toFixed(1)} s, ${opened} opened; slowest ${(slowest.seconds * 1e3).toFixed(1)} ms (${slowest.what}, ${slowest.length} characters)`);
    expect(inputs.length).toBeGreaterThanOrEqual(10_000);
    expect(opened).toBeGreaterThan(100); // the valid link under transport damage, and small constructions, do open
  });

  it('bundles with hostile rounds parse or are refused with a BundleError, in bounded time', () => {
    const rng = seededUniform(SEED ^ 0xb0b);
    let slowest = 0;
    for (let i = 0; i < 400; i++) {
      const b = genBundle(rng);
      const hostile = pick(rng, TAGS).repeat(intIn(rng, 1, 25_000));
      for (const t of b.trajectories) t.rounds = t.rounds.map((rd) => ({ ...rd, rawText: hostile, text: hostile }));
      const text = i % 2 === 0 ? serializeBundle(b) : mutateText(rng, serializeBundle(b), '{}[]":,0123456789abc');
      let r: ReturnType<typeof parseBundle> | undefined;
      slowest = Math.max(slowest, secondsOf(() => (r = parseBundle(text))));
      if (!r!.ok) expect(r!.error).toBeInstanceOf(BundleError);
      else expect(textIn(r!.bundle)).toBeLessThanOrEqual(text.length); // nothing is recomputed in a file
    }
    console.log(`adversarial bundles: 400 parsed; slowest ${(slowest * 1e3).toFixed(1)} ms`);
    expect(slowest).toBeLessThan(2); // as above: gross regressions only
  });
});
