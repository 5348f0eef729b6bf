/**
 * `cli train` end to end on the example config (tiny-router, offline pool from ../shared/data): two
 * RL steps print valid JSON lines with every charted metric and leave a checkpoint; `--resume`
 * continues from it; the supervised warm-up trains on a JSONL of trajectories and writes weights
 * that a later run loads as `model.init`. Called in-process (runTrainCommand), not spawned.
 */
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildExampleTrajectory } from '../../core/run/exampleTrajectory';
import { runTrainCommand } from './trainCommand';
import { parseTrainFileConfig, readTrainFileConfig } from './trainFileConfig';

const EXAMPLE = resolve(import.meta.dirname, 'examples/tiny.json');
const DATA_ROOT = resolve(import.meta.dirname, '../../../../shared/data');
const tmp = mkdtempSync(join(tmpdir(), 'cli-train-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(args: string[], flags: Record<string, string>): Promise<{ code: number; lines: Record<string, unknown>[]; stderr: string }> {
  let out = '';
  let err = '';
  const code = await runTrainCommand(args, new Map(Object.entries(flags)), { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  const lines = args.length > 0 ? [] : out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code, lines, stderr: err };
}

describe('cli train', () => {
  it('runs 2 RL steps of the example config and prints one JSON line per event with every metric', async () => {
    const dir = join(tmp, 'rl');
    const r = await cli([], { config: EXAMPLE, steps: '2', 'checkpoint-dir': dir, 'data-root': DATA_ROOT });
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines.map((l) => l['type'])).toEqual(['train.started', 'train.step', 'train.step', 'train.checkpointed', 'train.finished']);
    const step = r.lines[1] as Record<string, unknown>;
    for (const k of ['rewardMean', 'rewardFormat', 'rewardOutcome', 'rewardCost', 'em', 'costUsdPerQuestion', 'formatErrorRate', 'callsPerQuestion', 'routingShare', 'kl', 'entropy', 'timeMs']) expect(step, k).toHaveProperty(k);
    expect(Object.keys(step['timeMs'] as object)).toEqual(['rollout', 'reward', 'train', 'sync', 'total']);
    expect(step['rollouts']).toBe(4);
    expect(existsSync(join(dir, 'step-000002', 'weights.safetensors'))).toBe(true);

    // resume: continues at step 3 up to the config's 4 steps
    const resumed = await cli([], { config: EXAMPLE, resume: dir, 'checkpoint-dir': dir, 'data-root': DATA_ROOT });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.lines[0]).toMatchObject({ type: 'train.started', step: 2, resumed: true });
    expect(resumed.lines.filter((l) => l['type'] === 'train.step').map((l) => l['step'])).toEqual([3, 4]);
  });

  it('supervised warm-up on a JSONL of trajectories, then RL starts from its weights', async () => {
    const base = readTrainFileConfig(EXAMPLE);
    const trajectories = join(tmp, 'warmup.jsonl');
    writeFileSync(trajectories, [await buildExampleTrajectory(), await buildExampleTrajectory()].map((t) => JSON.stringify(t)).join('\n') + '\n');
    const config = join(tmp, 'warmup.json');
    const raw = { mode: 'supervised', run: { runId: 'warmup', seed: 1, steps: 1 }, model: { dir: base.model.dir, init: { kind: 'seeded-random', seed: 20250611 } }, supervised: { trajectories, epochs: 2, minibatchSize: 1, schedule: { kind: 'constant', lr: 0.001 } } };
    writeFileSync(config, JSON.stringify(raw));
    const dir = join(tmp, 'warm');
    const r = await cli([], { config, 'checkpoint-dir': dir });
    expect(r.code, r.stderr).toBe(0);
    const steps = r.lines.filter((l) => l['type'] === 'supervised.step');
    expect(steps).toHaveLength(4);
    expect(steps.every((l) => l['skipped'] === null && Number.isFinite(l['loss']))).toBe(true);
    expect(steps.at(-1)?.['loss'] as number).toBeLessThan(steps[0]?.['loss'] as number); // same two trajectories: the loss falls
    const file = r.lines.at(-1)?.['file'] as string;
    expect(existsSync(file)).toBe(true);
    // the warm-up's weights load as a later run's model.init
    const next = parseTrainFileConfig({ ...raw, mode: 'rl', model: { ...raw.model, init: { kind: 'safetensors', path: file } } }, tmp);
    expect(next.model.init).toEqual({ kind: 'safetensors', path: file });
  });

  it('rejects a bad config with every problem, and prints the field documentation', async () => {
    expect(() => parseTrainFileConfig({ mode: 'x', run: { seed: 1 }, model: {} }, tmp)).toThrow(/mode must be.*runId.*model.dir/);
    const doc = await cli(['describe-config'], {});
    expect(doc.code).toBe(0);
  });
});
