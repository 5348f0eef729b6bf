import { readFileSync } from 'node:fs';
import LZString from 'lz-string';
import { describe, expect, it } from 'vitest';
import { buildExampleTrajectory } from '../run/exampleTrajectory';
import { allTables, encodeRecord, HOSTILE_KEYS, type Field } from './schema';
import { FIELDS, MAX_LINK_ROUND_CHARS } from './shareFields';
import {
  buildShareUrl,
  decodeShareCode,
  encodeShareCode,
  MAX_DECODED_CHARS,
  MAX_LINK_CODE_CHARS,
  MAX_LINK_TEXT_CHARS,
  MAX_SHARE_URL_CHARS,
  shareCodeFromHash,
  type ShareDecodeResult,
} from './shareLink';
import { configOfTrajectory, DEFAULT_SHARE_CONFIG, shareKind, type ShareState } from './shareState';
import { SecretLeakError } from './secrets';

/** Links made by version 1 of the codec, with the states they opened: they must keep opening the same. */
const frozenV1 = JSON.parse(readFileSync(new URL('./fixtures/v1-links.json', import.meta.url), 'utf8')) as { code: string; state: ShareState }[];

const v1 = (payload: unknown): string => `v1.${LZString.compressToEncodedURIComponent(JSON.stringify(payload))}`;
const errorOf = (r: ShareDecodeResult) => (r.ok ? null : { kind: r.error.kind, message: r.error.message });

async function trajectoryState(): Promise<ShareState> {
  const t = await buildExampleTrajectory();
  return { config: configOfTrajectory(t), trajectory: t };
}

describe('share link codec', () => {
  it('round-trips a finished trajectory, leaving out what it recomputes exactly', async () => {
    const state = await trajectoryState();
    const code = encodeShareCode(state);
    expect(code.startsWith('v1.')).toBe(true);
    const r = decodeShareCode(code);
    expect(r.ok && r.state).toEqual(state);
    expect(r.ok && shareKind(r.state)).toBe('trajectory');
    // The compact wire form drops cut texts, actions, call prompts, costs, the response and metrics.
    const wire = JSON.stringify(encodeRecord(FIELDS, state as never, [], 'link'));
    expect(wire.length).toBeLessThan(JSON.stringify(state.trajectory).length / 3);
    expect(wire).not.toContain('Question: Which novel'); // the rendered candidate prompt
    // A 3-round trajectory link is well under the URL limit.
    expect(code.length).toBeLessThan(2_000);
  });

  it('writes a recorded value that differs from its recomputation, and keeps it', async () => {
    const state = await trajectoryState();
    const t = state.trajectory!;
    const edited: ShareState = { ...state, trajectory: { ...t, response: `${t.response} (edited)`, rounds: t.rounds.map((r, i) => (i === 0 ? { ...r, text: 'not the cut text' } : r)) } };
    const r = decodeShareCode(encodeShareCode(edited));
    expect(r.ok && r.state).toEqual(edited);
  });

  it('carries only non-default fields: the default configuration is a few characters', () => {
    expect(JSON.stringify(encodeRecord(FIELDS, { config: DEFAULT_SHARE_CONFIG } as never, [], 'link'))).toBe('{}');
    const code = encodeShareCode({ config: { ...DEFAULT_SHARE_CONFIG, alpha: 0.3 } });
    expect(code.length).toBeLessThan(30);
    const r = decodeShareCode(code);
    expect(r.ok && r.state.config).toEqual({ ...DEFAULT_SHARE_CONFIG, alpha: 0.3 });
    expect(r.ok && shareKind(r.state)).toBe('config');
  });

  it('keeps decoding frozen version-1 links identically', () => {
    expect(frozenV1.length).toBe(3);
    for (const { code, state } of frozenV1) {
      const r = decodeShareCode(code);
      expect(r.ok && r.state).toEqual(state);
      expect(r.ok && r.version).toBe(1);
    }
    expect(decodeShareCode(frozenV1[2]!.code).ok && shareKind((decodeShareCode(frozenV1[2]!.code) as { state: ShareState }).state)).toBe('evaluation');
  });

  it('builds a #s= URL and refuses one over the limit (the UI offers a bundle instead)', async () => {
    const state = await trajectoryState();
    const ok = buildShareUrl('https://host/sub/path/?testApi=1#old', state);
    expect(ok.ok && ok.url.startsWith('https://host/sub/path/?testApi=1#s=v1.')).toBe(true);
    expect(ok.ok && shareCodeFromHash(new URL(ok.url).hash)).toBe(ok.ok && ok.code);
    const t = state.trajectory!;
    // Incompressible text: random-ish replies make the link too long.
    let noise = '';
    for (let i = 0; noise.length < 12_000; i++) noise += ((i * 2654435761) >>> 0).toString(36);
    const big: ShareState = { ...state, trajectory: { ...t, rounds: t.rounds.map((r) => (r.call === null ? r : { ...r, call: { ...r.call, reply: noise } })) } };
    const tooLong = buildShareUrl('https://host/', big);
    expect(tooLong).toMatchObject({ ok: false, reason: 'too-long' });
    expect(!tooLong.ok && tooLong.length).toBeGreaterThan(MAX_SHARE_URL_CHARS);
  });

  it('never puts a key into a link: a canary pasted into a shared field blocks the link', () => {
    const canary = 'sk-canary-share-1234567890';
    const config = { ...DEFAULT_SHARE_CONFIG, pool: [{ name: 'm', provider: 'openai', providerModelId: canary, inputPer1M: 1, outputPer1M: 1 }] };
    expect(() => encodeShareCode({ config }, { openai: canary })).toThrow(SecretLeakError);
    expect(() => encodeShareCode({ config }, { openai: canary })).toThrow(/openai API key/);
    // The usual case: keys live in the vault, the link has the pool without them.
    const clean = encodeShareCode({ config: { ...config, pool: [{ ...config.pool[0]!, providerModelId: 'gpt-4o-mini' }] } }, { openai: canary });
    expect(LZString.decompressFromEncodedURIComponent(clean.slice(3))).not.toContain(canary);
  });

  it('reads the code from a location hash', () => {
    expect(shareCodeFromHash('#s=v1.abc')).toBe('v1.abc');
    expect(shareCodeFromHash('#x=1&s=v1.abc')).toBe('v1.abc');
    expect(shareCodeFromHash('#other')).toBeNull();
    expect(shareCodeFromHash('')).toBeNull();
  });
});

describe('share link errors: a message, never an exception', () => {
  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['hello', 'corrupt'],
    ['v1.', 'corrupt'],
    ['v1.!!!', 'corrupt'],
    ['v1.N4Ig', 'corrupt'],
    ['v1.%E0%A4%A', 'corrupt'],
    ['v2.N4Ig', 'unknown-version'],
    ['v0.N4Ig', 'unknown-version'],
  ])('%j → %s', (code, kind) => {
    const r = decodeShareCode(code);
    expect(errorOf(r)?.kind).toBe(kind);
    expect(errorOf(r)?.message).toMatch(/\w{3,}.*\./);
  });

  it('says a newer app made a newer link', () => {
    expect(errorOf(decodeShareCode('v7.N4Ig'))?.message).toContain('newer Router-R1 Studio');
  });

  it('refuses a truncated link (or, when only padding bits were cut, reads the same state)', async () => {
    const state = await trajectoryState();
    const code = encodeShareCode(state);
    let refused = 0;
    for (let cut = 3; cut < code.length; cut += 7) {
      const r = decodeShareCode(code.slice(0, cut));
      if (r.ok) expect(r.state).toEqual(state);
      else refused++;
    }
    expect(refused).toBeGreaterThan(code.length / 7 - 3);
  });

  it('refuses oversize links and oversize payloads before doing much work', () => {
    expect(errorOf(decodeShareCode(`v1.${'A'.repeat(MAX_LINK_CODE_CHARS + 1)}`))?.kind).toBe('oversize');
    // A tiny code that unpacks to more than 2 MB (LZ compresses repetition well).
    const bomb = `v1.${LZString.compressToEncodedURIComponent('a'.repeat(MAX_DECODED_CHARS + 10))}`;
    expect(bomb.length).toBeLessThan(MAX_LINK_CODE_CHARS);
    expect(errorOf(decodeShareCode(bomb))?.kind).toBe('oversize');
  });

  it('accepts a %-escaped link and "+" turned into spaces', async () => {
    const state = await trajectoryState();
    const code = encodeShareCode(state);
    expect(decodeShareCode(encodeURIComponent(code)).ok).toBe(true);
    expect(decodeShareCode(code.replace(/\+/g, ' ')).ok).toBe(true);
    // Chromium hands the page such a link with the spaces as %20: decode first, then map spaces.
    expect(code).toContain('+');
    expect(decodeShareCode(code.replace(/\+/g, '%20')).ok).toBe(true);
    expect(decodeShareCode(encodeURIComponent(code.replace(/\+/g, ' '))).ok).toBe(true);
  });

  it.each(['yZ4CUB', 'z32', 'yyL', 'yb+jUcVjn42'])('says in words why v1.%s is refused (lz-string throws a TypeError on it)', (body) => {
    const r = decodeShareCode(`v1.${body}`);
    expect(errorOf(r)).toEqual({ kind: 'corrupt', message: expect.stringContaining('does not decompress') });
    expect(errorOf(r)?.message).not.toMatch(/TypeError|charAt|undefined|properties/);
  });

  it.each([
    [{ c: { a: '0.5' } }, 'invalid', 'state.config.alpha must be a number'],
    [{ c: { a: 7 } }, 'invalid', 'state.config.alpha must be between 0 and 1 (got 7)'],
    [{ c: { a: 1e308 } }, 'invalid', 'between 0 and 1'],
    [{ c: { x: { t: 1e9 } } }, 'invalid', 'state.config.settings.maxTurns must be between 0 and 64'],
    [{ c: { x: { t: 2.5 } } }, 'invalid', 'must be a whole number'],
    [{ c: { m: Array(65).fill({ n: 'a', p: 'offline', i: 'a', in: 0, out: 0 }) } }, 'invalid', 'state.config.pool has too many items (65; at most 64)'],
    [{ c: { m: [{ n: 'a', p: 'evil host/<script>', i: 'a', in: 0, out: 0 }] } }, 'invalid', 'state.config.pool[0].provider has characters an id may not have'],
    [{ c: { m: [{ n: 'a', p: 'openai', i: 'a', in: 0, out: 0, key: 'sk-x' }] } }, 'invalid', 'state.config.pool[0].key is not a known field'],
    [{ c: { q: { t: 'x'.repeat(20_001), g: [] } } }, 'invalid', 'too long'],
    [{ c: { p: { k: 'shell', i: 'x' } } }, 'invalid', 'state.config.policy.kind must be one of human, onnx, scripted, replay'],
    [{ c: {}, t: { id: 'x' } }, 'invalid', 'state.trajectory.question is missing and cannot be recomputed'],
    [[1, 2], 'invalid', 'state must be an object'],
    ['text', 'invalid', 'state must be an object'],
    [null, 'invalid', 'state must be an object'],
    [JSON.parse('{"__proto__": {"polluted": true}}'), 'hostile', '__proto__'],
    [JSON.parse('{"c": {"constructor": {"prototype": {"polluted": true}}}}'), 'hostile', 'constructor'],
  ])('payload %# → %s', (payload, kind, message) => {
    const r = decodeShareCode(v1(payload));
    expect(errorOf(r)?.kind).toBe(kind);
    expect(errorOf(r)?.message).toContain(message);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  describe('links that imply too much text are refused before it is built', () => {
    /** The example trajectory's wire form with its rounds replaced (text, action and response recomputed). */
    async function linkWith(edit: (t: Record<string, unknown>) => void): Promise<string> {
      const wire = encodeRecord(FIELDS, (await trajectoryState()) as never, [], 'link') as { t: Record<string, unknown> };
      edit(wire.t);
      return v1(wire);
    }

    it('9 rounds of 25,000 unclosed <search> tags (~11 KB; 96 s in the quadratic parser): refused, per round', async () => {
      const code = await linkWith((t) => (t['r'] = Array.from({ length: 9 }, (_, i) => ({ i, w: '<search>'.repeat(25_000), x: 1 }))));
      expect(code.length).toBeLessThan(MAX_LINK_CODE_CHARS);
      const r = decodeShareCode(code);
      expect(errorOf(r)?.kind).toBe('oversize');
      expect(errorOf(r)?.message).toContain(`state.trajectory.rounds[0].rawText would bring state.trajectory.rounds[0] to 200000 characters of text; it may hold at most ${MAX_LINK_ROUND_CHARS}`);
      expect(errorOf(r)?.message).toContain('bundle file');
    });

    it('a template of 2,500 {query} fields: the prompt is refused from its predicted length, never rendered', async () => {
      const code = await linkWith((t) => {
        t['at'] = '{query}'.repeat(2_500);
        t['r'] = [{ i: 0, w: `<search>LLaMA-3.1-8B-Instruct:${'x'.repeat(2_000)}</search>`, c: { i: 1 }, x: 1 }];
      });
      expect(errorOf(decodeShareCode(code))).toEqual({ kind: 'oversize', message: expect.stringContaining('state.trajectory.rounds[0].call.prompt would be 5000000 characters when recomputed; at most 200000') });
      // The issue's link (a 199,000-character query): refused at the query's round already.
      const issue = await linkWith((t) => {
        t['at'] = '{query}'.repeat(2_500);
        t['r'] = [{ i: 0, w: `<search>LLaMA-3.1-8B-Instruct:${'x'.repeat(199_000)}</search>`, c: { i: 1 }, x: 1 }];
      });
      expect(issue.length).toBeLessThan(3_000);
      expect(errorOf(decodeShareCode(issue))?.kind).toBe('oversize');
    });

    it('a prompt that fits its field but not the round, and many rounds that fit alone but not the link', async () => {
      const prompt = await linkWith((t) => {
        t['at'] = '{query}'.repeat(60); // 120,000 characters: under the field's 200,000
        t['r'] = [{ i: 0, w: `<search>LLaMA-3.1-8B-Instruct:${'y'.repeat(2_000)}</search>`, c: { i: 1 }, x: 1 }];
      });
      expect(errorOf(decodeShareCode(prompt))?.message).toMatch(/rounds\[0\]\.call\.prompt would bring state\.trajectory\.rounds\[0\] to \d+ characters of text; it may hold at most 100000 once recomputed/);
      const many = await linkWith((t) => (t['r'] = Array.from({ length: 40 }, (_, i) => ({ i, w: `<think>${'z'.repeat(12_000)}</think>`, x: 1 }))));
      expect(errorOf(decodeShareCode(many))?.message).toContain(`would bring the link to`);
      expect(errorOf(decodeShareCode(many))?.message).toContain(`at most ${MAX_LINK_TEXT_CHARS}`);
    });

    it('the app never makes a link it would refuse: such a state is offered as a bundle', async () => {
      const state = await trajectoryState();
      const t = state.trajectory!;
      const big: ShareState = { ...state, trajectory: { ...t, rounds: t.rounds.map((r, i) => (i === 0 ? { ...r, rawText: 'w'.repeat(60_000), text: 'w'.repeat(60_000) } : r)) } };
      expect(() => encodeShareCode(big)).toThrow(/holds more text than a link may carry \(state\.trajectory\.rounds\[0\]\.text would bring/);
      expect(buildShareUrl('https://host/', big)).toMatchObject({ ok: false, reason: 'too-long' });
      // Just under the round's cap, the same text opens (60,000 → 30,000 characters, cut text included).
      const fits: ShareState = { ...state, trajectory: { ...t, rounds: t.rounds.map((r, i) => (i === 0 ? { ...r, rawText: 'w'.repeat(30_000), text: 'w'.repeat(30_000) } : r)) } };
      const r = decodeShareCode(encodeShareCode(fits));
      expect(r.ok && r.state).toEqual(fits);
    });
  });

  it('checks a call points inside the pool', async () => {
    const state = await trajectoryState();
    const t = state.trajectory!;
    const bad = { ...state, trajectory: { ...t, rounds: t.rounds.map((r) => (r.call === null ? r : { ...r, call: { ...r.call, poolIndex: 9 } })) } };
    expect(errorOf(decodeShareCode(encodeShareCode(bad)))?.message).toContain('state.trajectory.rounds[0].call.poolIndex points past the end of the pool');
  });
});

describe('FIELDS', () => {
  const tables = allTables(FIELDS);
  const fields = (): [string, Field][] => tables.flatMap((t) => Object.entries(t));

  it('has unique, safe short keys in every table (union tags included)', () => {
    for (const table of tables) {
      const keys = Object.values(table).map((f) => f.key);
      expect(new Set(keys).size).toBe(keys.length);
      for (const k of keys) expect(HOSTILE_KEYS.has(k)).toBe(false);
    }
    for (const [, f] of fields()) {
      if (f.kind !== 'union') continue;
      for (const variant of Object.values(f.variants)) expect(Object.values(variant).map((v) => v.key)).not.toContain(f.tagKey);
    }
  });

  it('never has both a default and a derivation, and every default is in range', () => {
    for (const [name, f] of fields()) {
      expect(f.default !== undefined && f.derive !== undefined, name).toBe(false);
      if ((f.kind === 'int' || f.kind === 'float') && typeof f.default === 'number') expect(f.default >= f.min && f.default <= f.max, name).toBe(true);
      if (f.kind === 'enum' && f.default !== undefined) expect(f.values, name).toContain(f.default);
    }
  });
});
