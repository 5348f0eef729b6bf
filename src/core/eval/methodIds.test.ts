/** parseMethodId is the inverse of methodId: a round trip over every method kind, and errors that name the accepted forms. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_TEACHER_ALPHAS } from '../defaultPolicy/corpus';
import type { EvalMethodKind, EvalMethodSpec } from './evalTypes';
import { EvalMethodError, methodId, parseMethodId, teacherMethodId, UnknownMethodIdError } from './methodIds';

/** One spec of every kind (the oracle-only and parameterised ones included), as parseMethodId returns them. */
const EVERY_KIND: EvalMethodSpec[] = [
  { kind: 'single', model: 'llama3-chatqa-1.5-8b' },
  { kind: 'single', model: 'name:with:colons' },
  { kind: 'random' },
  { kind: 'cheapest' },
  { kind: 'largest' },
  { kind: 'cascade' },
  { kind: 'oracle' },
  { kind: 'teacher', alpha: 0 },
  { kind: 'teacher', alpha: 0.8 },
  { kind: 'teacher', alpha: 1 },
  { kind: 'policy', id: 'loaded' },
  { kind: 'policy', id: 'embedded' },
  { kind: 'policy', id: 'router-nano-a0-warmup' },
  { kind: 'policy', id: 'onnx:tiny-router' },
];

describe('parseMethodId (the inverse of methodId)', () => {
  it('round-trips every method kind: methodId(parseMethodId(id)) === id and back', () => {
    // Every kind is covered: a new kind fails to compile here until it is added to EVERY_KIND.
    const allKinds: Record<EvalMethodKind, true> = { single: true, random: true, cheapest: true, largest: true, cascade: true, oracle: true, teacher: true, policy: true };
    expect(new Set(EVERY_KIND.map((m) => m.kind))).toEqual(new Set(Object.keys(allKinds)));
    for (const spec of EVERY_KIND) {
      const id = methodId(spec);
      expect(methodId(parseMethodId(id))).toBe(id);
      expect(parseMethodId(id)).toEqual(spec);
    }
  });

  it('reads the teacher at α 0 as `teacher` and keeps the α of `teacher:<α>`', () => {
    expect(parseMethodId('teacher:0')).toEqual({ kind: 'teacher', alpha: 0 });
    expect(parseMethodId('teacher:0.8')).toEqual({ kind: 'teacher', alpha: 0.8 });
    expect(DEFAULT_TEACHER_ALPHAS.map(teacherMethodId)).toEqual(['teacher', 'teacher:0.8']);
  });

  it('refuses bad ids with an EvalMethodError that says what to write', () => {
    const bad: [string, RegExp][] = [
      ['', /Unknown method ""; use single:<model>, random/],
      ['nope', /Unknown method "nope"; use .*teacher:<α> or policy:<id>/],
      ['Random', /Unknown method "Random"/],
      ['single:', /single:<model> needs a pool model name/],
      ['policy:', /policy:<id> needs a policy id/],
      ['teacher:', /teacher:<α> needs α in \[0, 1\], got ""/],
      ['teacher:abc', /teacher:<α> needs α in \[0, 1\], got "abc"/],
      ['teacher:1.5', /teacher:<α> needs α in \[0, 1\], got "1.5"/],
      ['teacher:-0.1', /needs α in \[0, 1\]/],
      ['cascade:2', /Unknown method "cascade:2"/],
    ];
    for (const [id, message] of bad) {
      expect(() => parseMethodId(id), id).toThrow(EvalMethodError);
      expect(() => parseMethodId(id), id).toThrow(message);
    }
    expect(() => parseMethodId('nope')).toThrow(UnknownMethodIdError);
    expect(() => parseMethodId('teacher:2')).not.toThrow(UnknownMethodIdError); // a known form with a bad α
  });
});
