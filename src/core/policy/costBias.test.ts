import { describe, expect, it } from 'vitest';
import { createByteTokenizer } from '../tokenizer/byteTokenizer';
import { createCostBias, normalisePrices } from './costBias';
import type { Tokenizer } from './ports';

/** A greedy longest-match tokenizer over whole pieces, then single characters (ids 1000 + code). */
function pieceTokenizer(pieces: readonly string[]): Tokenizer & { id(piece: string): number } {
  const byLength = [...pieces].sort((a, b) => b.length - a.length);
  return {
    id: (p) => pieces.indexOf(p),
    encode(text) {
      const out: number[] = [];
      for (let i = 0; i < text.length; ) {
        const p = byLength.find((x) => text.startsWith(x, i));
        if (p !== undefined) {
          out.push(pieces.indexOf(p));
          i += p.length;
        } else out.push(1000 + text.charCodeAt(i++));
      }
      return out;
    },
    decode: (ids) => ids.map((id) => pieces[id] ?? String.fromCharCode(id - 1000)).join(''),
  };
}

const ctx = (generatedText: string) => ({ generatedIds: [], generatedText, step: 0 });

describe('normalisePrices', () => {
  it('maps the cheapest to 0 and the most expensive to 1, and equal prices to 0', () => {
    expect(normalisePrices([0.2, 0.9, 0.55])).toEqual([0, 1, 0.5000000000000001]);
    expect(normalisePrices([3, 3])).toEqual([0, 0]);
  });
});

describe('createCostBias', () => {
  const tok = pieceTokenizer([' Qwen', 'Qwen', ' Mistral', 'Mistral', ' Llama', 'Llama', '-70B', '<search>']);
  const pool = [
    { name: 'Qwen', outputPer1M: 0.2 },
    { name: 'Mistral', outputPer1M: 0.5 },
    { name: 'Llama-70B', outputPer1M: 0.9 },
  ];
  const lambda = 2;

  it('adds −λ·p̂ to the first token of each name right after <search> (both spacing variants), nothing else', () => {
    const bias = createCostBias({ pool, tokenizer: tok, strength: lambda });
    const V = 1200;
    const raw = Float32Array.from({ length: V }, (_, i) => Math.sin(i));
    const z = Float32Array.from(raw);
    bias.processor(z, ctx('<think>cheap first</think>\n<search>'));
    const expected = new Map<number, number>([
      [tok.id(' Mistral'), -lambda * (3 / 7)],
      [tok.id('Mistral'), -lambda * (3 / 7)],
      [tok.id(' Llama'), -lambda],
      [tok.id('Llama'), -lambda],
    ]);
    for (let i = 0; i < V; i++) expect((z[i] ?? 0) - (raw[i] ?? 0)).toBeCloseTo(expected.get(i) ?? 0, 5);
  });

  it('after "<search> " only the no-space variants are biased; outside a name nothing is', () => {
    const bias = createCostBias({ pool, tokenizer: tok, strength: lambda });
    const after = bias.biasFor(' ');
    expect([...after.keys()].sort()).toEqual([tok.id('Mistral'), tok.id('Llama')].sort());
    expect(after.get(tok.id('Llama'))).toBeCloseTo(-lambda, 12);
    expect(after.get(tok.id('Mistral'))).toBeCloseTo(-lambda * (3 / 7), 12);
    for (const text of ['no tag yet', '<search> Qwen: who?', '<search> Llama-70B', '<search> Gemma']) {
      const z = new Float32Array(1200);
      bias.processor(z, ctx(text));
      expect(z.every((x) => x === 0)).toBe(true);
    }
    const off = createCostBias({ pool, tokenizer: tok, strength: 0 });
    expect(off.biasFor('').size).toBe(0);
  });

  it('telescopes over names sharing tokens: the bias summed along a name is −λ·p̂(name)', () => {
    const bytes = createByteTokenizer(); // every " Name" variant shares its first token (the space)
    const shared = [
      { name: 'Llama-3.1-70B', outputPer1M: 0.9 },
      { name: 'Llama-3.1-8B', outputPer1M: 0.1 },
      { name: 'Qwen', outputPer1M: 0.5 },
    ];
    const bias = createCostBias({ pool: shared, tokenizer: bytes, strength: lambda });
    const pathBias = (written: string): number => {
      let sum = 0;
      for (let i = 0; i < written.length; i++) {
        const next = bytes.encode(written[i] ?? '')[0] ?? -1;
        sum += bias.biasFor(written.slice(0, i)).get(next) ?? 0;
      }
      return sum;
    };
    expect(pathBias(' Llama-3.1-70B')).toBeCloseTo(-lambda * 1, 12);
    expect(pathBias(' Llama-3.1-8B')).toBeCloseTo(0, 12);
    expect(pathBias(' Qwen')).toBeCloseTo(-lambda * 0.5, 12);
    expect(pathBias('Llama-3.1-70B')).toBeCloseTo(-lambda * 1, 12);
    // The shared part costs nothing; the price is paid where the names part ("7" vs "8").
    expect(bias.biasFor(' Llama-3.1-').get(bytes.encode('7')[0] ?? -1)).toBeCloseTo(-lambda, 12);
    expect(bias.biasFor(' Llama-3.1-').has(bytes.encode('8')[0] ?? -1)).toBe(false);
  });
});
