import { describe, expect, it } from 'vitest';
import { buildExampleTrajectory, EXAMPLE_POOL } from './exampleTrajectory';

describe('buildExampleTrajectory', () => {
  it('is a well-formed, correct, three-round episode', async () => {
    const t = await buildExampleTrajectory();
    expect(t.status).toBe('answered');
    expect(t.template).toBe('compact');
    expect(t.rounds.map((r) => r.action.type)).toEqual(['route', 'route', 'answer']);
    expect(t.rounds.map((r) => r.call?.modelName ?? null)).toEqual(['LLaMA-3.1-8B-Instruct', 'LLaMA-3.1-70B-Instruct', null]);
    expect(t.reward).toMatchObject({ format: 0, em: 1, f1: 1, answer: 'Philip K. Dick', alpha: 0, total: 1 });
    expect(t.metrics).toMatchObject({ em: 1, format: 0, routes: 2, calls: 2, turns: 3 });
  });

  it('shows a turn cut after </search> (the policy ran on into a made-up observation)', async () => {
    const [first] = (await buildExampleTrajectory()).rounds;
    expect(first?.rawText.length).toBeGreaterThan(first?.text.length ?? 0);
    expect(first?.text.endsWith('</search>')).toBe(true);
  });

  it('costs the sum of its calls in reference units', async () => {
    const t = await buildExampleTrajectory();
    const units = t.rounds.reduce((sum, r) => sum + (r.call?.costUnits ?? 0), 0);
    expect(t.metrics?.costUnits).toBe(units);
    const [, small, large] = EXAMPLE_POOL;
    expect(t.rounds[0]?.call?.costUnits).toBeCloseTo((t.rounds[0]?.call?.usage?.completionTokens ?? 0) * (small?.outputPer1M ?? 0), 10);
    expect(t.rounds[1]?.call?.costUnits).toBeCloseTo((t.rounds[1]?.call?.usage?.completionTokens ?? 0) * (large?.outputPer1M ?? 0), 10);
  });

  it('is deterministic and survives a JSON round trip unchanged', async () => {
    const t = await buildExampleTrajectory();
    expect(await buildExampleTrajectory()).toStrictEqual(t);
    expect(JSON.parse(JSON.stringify(t))).toStrictEqual(t);
  });
});
