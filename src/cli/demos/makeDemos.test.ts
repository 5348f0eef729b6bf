/**
 * make-demos around its core (the pickers and the file format have their own tests): the tidy record,
 * and a model that never answers (the random-weight tiny-router) gives no entry, says so, and leaves
 * the output alone.
 */
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildExampleTrajectory } from '../../core/run/exampleTrajectory';
import { runMakeDemos, tidyTrajectory } from './makeDemos';

const DATA_ROOT = resolve(__dirname, '../../../../shared/data');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('make-demos', () => {
  it('keeps no token ids or log-probs and names the policy by its variant', async () => {
    const t = await buildExampleTrajectory();
    const withTokens = { ...t, rounds: t.rounds.map((r) => ({ ...r, tokenIds: [1, 2], logProbs: [-0.5, -0.1] })) };
    const tidy = tidyTrajectory(withTokens, 'router-nano-a0', 'demo.x.router-nano-a0');
    expect(tidy.id).toBe('demo.x.router-nano-a0');
    expect(tidy.policy.id).toBe('router-nano-a0');
    expect(tidy.rounds.every((r) => r.tokenIds === undefined && r.logProbs === undefined)).toBe(true);
    expect(tidy.rounds.map((r) => r.text)).toEqual(t.rounds.map((r) => r.text));
  });

  it.skipIf(!existsSync(DATA_ROOT))('finds nothing in a random-weight model, says so, and writes nothing', async () => {
    const models = mkdtempSync(join(tmpdir(), 'make-demos-'));
    dirs.push(models);
    cpSync(resolve(__dirname, '../../../public/models/tiny-router'), join(models, 'tiny-router'), { recursive: true });
    writeFileSync(join(models, 'embedded.json'), JSON.stringify({ format: 1, default: 'tiny-router', variants: [{ name: 'tiny-router', alpha: 0, summary: 'test' }] }));
    const out = join(models, 'gallery.json');
    let stderr = '';
    const code = await runMakeDemos(new Map([['models', models], ['out', out], ['questions', '1'], ['data-root', DATA_ROOT]]), { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, env: {} });
    expect(code).toBe(1);
    expect(stderr).toContain('shows "one-call"; it is left out');
    expect(stderr).toContain('left as it is');
    expect(existsSync(out)).toBe(false);
  });
});
