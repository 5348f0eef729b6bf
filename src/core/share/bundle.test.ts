import { describe, expect, it } from 'vitest';
import { buildExampleTrajectory } from '../run/exampleTrajectory';
import { BUNDLE_FORMAT, createBundle, parseBundle, serializeBundle } from './bundle';
import { assertNoSecrets, SecretLeakError } from './secrets';
import { configOfTrajectory } from './shareState';

async function exampleBundle() {
  const t = await buildExampleTrajectory();
  return createBundle({ configuration: configOfTrajectory(t), trajectories: [t] });
}

const errorOf = (text: string): string => {
  const r = parseBundle(text);
  return r.ok ? 'ok' : r.error.message;
};

describe('bundles', () => {
  it('hold the configuration, trajectories, prices and every recorded reply, and parse back identically', async () => {
    const bundle = await exampleBundle();
    expect(bundle.format).toBe(BUNDLE_FORMAT);
    expect(bundle.prices.map((p) => p.name)).toEqual(['Qwen2.5-7B-Instruct', 'LLaMA-3.1-8B-Instruct', 'LLaMA-3.1-70B-Instruct']);
    expect(bundle.replies).toHaveLength(2);
    expect(bundle.replies[1]).toMatchObject({ provider: 'scripted', providerModelId: 'LLaMA-3.1-70B-Instruct', usage: { completionTokens: 29 } });
    expect(bundle.replies[1]?.prompt).toContain('Who wrote the novel');
    const text = serializeBundle(bundle);
    expect(text).toContain('"format": "router-r1-studio.bundle"'); // readable: full field names
    const r = parseBundle(text);
    expect(r.ok && r.bundle).toEqual(bundle);
  });

  it('refuses to export a bundle that would contain a key (canary)', async () => {
    const bundle = await exampleBundle();
    const canary = 'sk-canary-bundle-0123456789';
    expect(serializeBundle(bundle, { openai: canary })).not.toContain(canary);
    const leaky = { ...bundle, configuration: { ...bundle.configuration, question: { text: `my key is ${canary}`, goldAnswers: [] } } };
    expect(() => serializeBundle(leaky, { openai: canary })).toThrow(SecretLeakError);
  });

  it('checks keys raw and JSON-escaped, and ignores values too short to be keys', () => {
    expect(() => assertNoSecrets('{"k": "ab\\"cdefgh"}', { p: 'ab"cdefgh' })).toThrow(/p API key/);
    expect(() => assertNoSecrets('none none none', { ollama: 'none' })).not.toThrow();
  });

  it.each([
    ['', 'This file is empty'],
    ['{', 'not JSON'],
    ['[]', 'not a Router-R1 Studio bundle'],
    ['{"version": 1}', 'not a Router-R1 Studio bundle'],
    [`{"format": "${BUNDLE_FORMAT}", "version": 2}`, 'newer Router-R1 Studio'],
    [`{"format": "${BUNDLE_FORMAT}", "version": "1"}`, 'Unknown bundle version 1'],
    [`{"format": "${BUNDLE_FORMAT}", "version": 1}`, 'bundle.configuration is missing'],
    [`{"format": "${BUNDLE_FORMAT}", "version": 1, "__proto__": {"x": 1}}`, 'forbidden field name ("__proto__")'],
  ])('%j is refused: %s', (text, message) => {
    expect(errorOf(text)).toContain(message);
  });

  it('says where an invalid value is', async () => {
    const bundle = JSON.parse(serializeBundle(await exampleBundle())) as { trajectories: { rounds: { call: { usage: unknown } | null }[] }[] };
    bundle.trajectories[0]!.rounds[1]!.call!.usage = { promptTokens: -5, completionTokens: 1 };
    expect(errorOf(JSON.stringify(bundle))).toContain('bundle.trajectories[0].rounds[1].call.usage.promptTokens must be between 0 and 1000000000 (got -5)');
  });
});
