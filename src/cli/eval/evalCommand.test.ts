/**
 * The `eval` command end to end on the mirror's offline pool (../shared/data): 50 questions, every
 * baseline, files written and parsed back, the table printed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseFlags } from '../flags';
import { createFsDataRoot } from '../../adapters/node/fsDataRoot';
import { parseRowsCsv, parseTrajectoriesJsonl } from '../../core/eval/exportResults';
import { runEvalCommand, withBooleanEvalFlags } from './evalCommand';

const root = createFsDataRoot(resolve(__dirname, '../../../../shared/data'));
const out = mkdtempSync(join(tmpdir(), 'eval-cli-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function io() {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, io: { stdout: { write: (s: string) => stdout.push(s) }, stderr: { write: (s: string) => stderr.push(s) }, root, env: {}, now: () => 0 } };
}

describe('eval command', () => {
  it('evaluates 50 offline-pool questions with all baselines and writes jsonl, csv, summary and state', async () => {
    const { stdout, io: o } = io();
    const { flags } = parseFlags(withBooleanEvalFlags(['eval', '--dataset', 'offline', '--method', 'all', '--limit', '50', '--out', out]));
    const r = await runEvalCommand(flags, o);
    expect(r.code).toBe(0);
    const table = stdout.join('');
    expect(table).toMatch(/^offline: 50 questions, α=0, seed 42/);
    for (const m of ['single:llama3-chatqa-1.5-70b', 'random', 'cheapest', 'largest', 'cascade', 'teacher', 'teacher:0.8', 'oracle']) expect(table).toContain(m);
    const methods = r.summary?.methods ?? [];
    expect(methods).toHaveLength(9 + 7);
    const rows = parseRowsCsv(await readFile(join(out, 'results.csv'), 'utf8'));
    expect(rows).toHaveLength(50 * 16);
    const trajectories = parseTrajectoriesJsonl(await readFile(join(out, 'results.jsonl'), 'utf8'));
    expect(trajectories).toHaveLength(50 * 16);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as { methods: Record<string, { em: number; calls: number; formatValidRate: number }>; pareto: unknown[] };
    expect(summary.methods['oracle']?.em).toBeGreaterThanOrEqual(Math.max(...methods.map((m) => m.em)));
    expect(summary.methods['cheapest']?.calls).toBe(1);
    expect(Object.values(summary.methods).every((m) => m.formatValidRate === 1)).toBe(true);
    expect(summary.pareto).toHaveLength(16);
    // Resuming a finished run changes nothing.
    const again = await runEvalCommand(parseFlags(withBooleanEvalFlags(['eval', '--limit', '50', '--out', out, '--resume'])).flags, io().io);
    expect(again.summary).toEqual(r.summary);
  });

  it('explains bad flags and refuses a live run without a key', async () => {
    const a = io();
    expect((await runEvalCommand(parseFlags(['eval', '--dataset', 'nope']).flags, a.io)).code).toBe(2);
    expect(a.stderr.join('')).toMatch(/Unknown --dataset "nope"/);
    const b = io();
    expect((await runEvalCommand(parseFlags(['eval', '--dataset', 'nq', '--provider', 'openrouter']).flags, b.io)).code).toBe(2);
    expect(b.stderr.join('')).toMatch(/set OPENROUTER_API_KEY/);
  });

  it('prints the estimate of a live run and waits for --yes', async () => {
    const c = io();
    const r = await runEvalCommand(parseFlags(['eval', '--dataset', 'bamboogle', '--provider', 'local', '--base-url', 'http://127.0.0.1:9/v1', '--method', 'cheapest,cascade', '--limit', '10']).flags, { ...c.io, fetch: () => Promise.reject(new Error('no network in tests')) });
    expect(r.code).toBe(3);
    expect(c.stderr.join('')).toMatch(/estimate: \d+ calls \(at most 50\)/);
  });
});
