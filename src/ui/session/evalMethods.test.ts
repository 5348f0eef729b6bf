/**
 * The Evaluate view's methods: ids (read by core's parseMethodId) that fit the page become specs with
 * the app's labels; the embedded policy by α picks its variant; policy methods become onnx policies.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_TEACHER_ALPHAS, OFFLINE_PROVIDER, teacherMethodId, variantForAlpha, type EvalRunSpec, type LoadedModelInfo, type PoolModelRecord } from '../../core';
import { EMBEDDED_VARIANTS, EMBEDDED_WARMUPS } from '../testing/embeddedFixtures';
import { EMBEDDED_BY_ALPHA_ID, methodSpecs, policiesFor } from './evalMethods';

const pool: PoolModelRecord[] = [
  { name: 'small-1b', provider: OFFLINE_PROVIDER, providerModelId: 'x/small-1b', inputPer1M: 0.1, outputPer1M: 0.1 },
  { name: 'big-70b', provider: OFFLINE_PROVIDER, providerModelId: 'x/big-70b', inputPer1M: 0.9, outputPer1M: 0.9 },
];
const variants = EMBEDDED_VARIANTS;
const warmups = EMBEDDED_WARMUPS;

describe('methodSpecs', () => {
  it('maps method ids to specs that fit the pool (the oracle only offline, the policy only with a model)', () => {
    expect(methodSpecs(['single:small-1b', 'single:gone', 'oracle', 'policy:loaded'], pool, null)).toEqual([{ kind: 'single', model: 'small-1b' }, { kind: 'oracle' }]);
    expect(methodSpecs(['oracle'], [{ ...pool[0]!, provider: 'openai' }], null)).toEqual([]);
  });

  it('maps the teacher cascade at α 0 and 0.8 and the listed embedded variants (unlisted ones are left out)', () => {
    expect(methodSpecs(['teacher', 'teacher:0.8', 'teacher:2', 'policy:router-nano-a0', 'policy:router-nano-a08', 'policy:router-nano-zz'], pool, null, variants)).toEqual([
      { kind: 'teacher', alpha: 0 },
      { kind: 'teacher', alpha: 0.8 },
      { kind: 'policy', id: 'router-nano-a0', label: 'router-nano-a0 (α 0)' },
      { kind: 'policy', id: 'router-nano-a08', label: 'router-nano-a08 (α 0.8)' },
    ]);
    expect(methodSpecs(['policy:router-nano-a0'], pool, null)).toEqual([]);
    expect(DEFAULT_TEACHER_ALPHAS.map(teacherMethodId)).toEqual(['teacher', 'teacher:0.8']);
  });

  it('leaves out ids that do not parse', () => {
    expect(methodSpecs(['', 'nope', 'single:', 'policy:', 'teacher:', 'teacher:abc', 'cheapest'], pool, null)).toEqual([{ kind: 'cheapest' }]);
  });

  it("maps the warm-ups (each variant's weights before RL) when listed, and leaves them out when not; the α method never picks one", () => {
    expect(methodSpecs(['policy:router-nano-a0', 'policy:router-nano-a0-warmup', 'policy:router-nano-a08-warmup'], pool, null, variants, 0, warmups)).toEqual([
      { kind: 'policy', id: 'router-nano-a0', label: 'router-nano-a0 (α 0)' },
      { kind: 'policy', id: 'router-nano-a0-warmup', label: 'router-nano-a0 before RL (warm-up, α 0)' },
      { kind: 'policy', id: 'router-nano-a08-warmup', label: 'router-nano-a08 before RL (warm-up, α 0.8)' },
    ]);
    expect(methodSpecs(['policy:router-nano-a0-warmup'], pool, null, variants, 0)).toEqual([]);
    expect(methodSpecs(['policy:router-nano-a0-warmup'], pool, null, variants, 0, warmups.slice(1))).toEqual([]);
    for (const alpha of [0, 0.5, 0.8, 1]) expect(methodSpecs(['policy:embedded'], pool, null, variants, alpha, warmups)[0]).toMatchObject({ id: 'embedded', variant: alpha < 0.45 ? 'router-nano-a0' : 'router-nano-a08' });
  });

  it('resolves the embedded policy by α to router-nano-a0 below α 0.45 and router-nano-a08 from there; nothing without listed variants', () => {
    const at = (alpha: number) => methodSpecs([`policy:${EMBEDDED_BY_ALPHA_ID}`], pool, null, variants, alpha);
    for (const alpha of [0, 0.2, 0.4]) expect(at(alpha)).toEqual([{ kind: 'policy', id: 'embedded', label: `embedded policy at α ${alpha}: router-nano-a0`, variant: 'router-nano-a0' }]);
    for (const alpha of [0.45, 0.5, 0.8, 1]) expect(at(alpha)).toEqual([{ kind: 'policy', id: 'embedded', label: `embedded policy at α ${alpha}: router-nano-a08`, variant: 'router-nano-a08' }]);
    expect(methodSpecs(['policy:embedded'], pool, null, [], 0.8)).toEqual([]);
    expect(variantForAlpha({ variants: [] }, 0)).toBeNull();
    // The order of embedded.json does not matter.
    expect(variantForAlpha({ variants: [...variants].reverse() }, 0.3)?.name).toBe('router-nano-a0');
  });
});

describe('policiesFor', () => {
  const model = { name: 'my-router', ref: { kind: 'url', prefix: 'https://example.com/m/', baseUrl: 'http://app/' }, preferredDevice: 'wasm' } as LoadedModelInfo;
  const host = { model, sampling: { temperature: 0.7, topP: 0.9, topK: 0 }, preferredDevice: 'auto' as const, baseUrl: 'http://app/' };
  const spec = (alpha: number) => ({ alpha, seed: 5, methods: [{ kind: 'policy', id: 'loaded' }, { kind: 'policy', id: 'embedded', variant: 'router-nano-a08' }, { kind: 'policy', id: 'router-nano-a0' }, { kind: 'cheapest' }] }) as EvalRunSpec;

  it('samples the loaded model with the run, decodes embedded folders greedily; α sets λ = 4α on the loaded and the by-α policy only', () => {
    expect(policiesFor(spec(0.3), host)).toEqual({
      loaded: { kind: 'onnx', model: model.ref, preferredDevice: 'wasm', sampling: { temperature: 0.7, topP: 0.9, topK: 0, seed: 5 }, costBias: { strength: 1.2 } },
      embedded: { kind: 'onnx', model: { kind: 'embedded', name: 'router-nano-a08', baseUrl: 'http://app/' }, preferredDevice: 'auto', sampling: { temperature: 0, topP: 1, topK: 0, seed: 5 }, costBias: { strength: 1.2 } },
      'router-nano-a0': { kind: 'onnx', model: { kind: 'embedded', name: 'router-nano-a0', baseUrl: 'http://app/' }, preferredDevice: 'auto', sampling: { temperature: 0, topP: 1, topK: 0, seed: 5 } },
    });
    expect(policiesFor(spec(0), { ...host, model: null })?.['embedded']).not.toHaveProperty('costBias');
    expect(policiesFor({ ...spec(0), methods: [{ kind: 'cheapest' }] }, host)).toBeUndefined();
  });
});
