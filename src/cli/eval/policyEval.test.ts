/**
 * `eval --policy … --dataset llmrouter:<task>:<split> --out FILE` on the mirror's offline pool
 * (../shared/data): the one-line JSON summary and the per-question records of a baseline, the split
 * membership, usage errors, the teacher at two α, and the tiny ONNX router (random weights, 512 positions).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFsDataRoot } from '../../adapters/node/fsDataRoot';
import { isHeldOutQuestion } from '../../core/eval/heldOut';
import { loadOfflineBank } from '../../core/offline/offlineBank';
import { runEvalCommand } from './evalCommand';
import { EvalUsageError, llmRouterQuestions } from './evalSetup';
import type { PolicyEvalRecord, PolicyEvalSummary } from './policyEval';

const dataDir = resolve(__dirname, '../../../../shared/data');
const root = createFsDataRoot(dataDir);
const tmp = mkdtempSync(join(tmpdir(), 'policy-eval-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const TINY = resolve(__dirname, '../../../public/models/tiny-router');

function io() {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, io: { stdout: { write: (s: string) => stdout.push(s) }, stderr: { write: (s: string) => stderr.push(s) }, root, env: {}, now: () => 0 } };
}

async function evalPolicy(args: Record<string, string>): Promise<{ code: number; summary?: PolicyEvalSummary; stderr: string }> {
  const o = io();
  const flags = new Map(Object.entries({ pool: 'offline', ...args }));
  const r = await runEvalCommand(flags, o.io);
  const lines = o.stdout.join('').split('\n').filter((l) => l !== '');
  if (r.code === 0) expect(lines).toHaveLength(1);
  return { code: r.code, ...(lines.length === 1 ? { summary: JSON.parse(lines[0] as string) as PolicyEvalSummary } : {}), stderr: o.stderr.join('') };
}

async function records(file: string): Promise<PolicyEvalRecord[]> {
  return (await readFile(file, 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as PolicyEvalRecord);
}

describe('eval --policy', () => {
  it('prints one JSON summary line for a baseline on llmrouter:all:heldout and writes a record per question', async () => {
    const out = join(tmp, 'nested', 'cheapest.jsonl');
    const { code, summary } = await evalPolicy({ policy: 'cheapest', dataset: 'llmrouter:all:heldout', limit: '20', out });
    expect(code).toBe(0);
    expect(summary).toMatchObject({ n: 20, policy: 'cheapest', dataset: 'llmrouter:all:heldout', calls: 1, format_valid: 1, routing_share: { 'gemma-2-9b-it': 1 }, alpha: 0, seed: 42 });
    for (const k of ['em', 'f1', 'cost'] as const) expect(typeof summary?.[k]).toBe('number');
    expect(summary?.cost).toBeGreaterThan(0);
    const recs = await records(out);
    expect(recs).toHaveLength(20);
    for (const r of recs) {
      expect(Object.keys(r)).toEqual(expect.arrayContaining(['id', 'question', 'gold', 'answer', 'em', 'f1', 'cost', 'calls', 'format_valid', 'routes', 'trajectory']));
      expect(isHeldOutQuestion(r.id)).toBe(true);
      expect(r.routes).toEqual([expect.objectContaining({ model: 'gemma-2-9b-it', pool_model: 'gemma-2-9b-it' })]);
      expect(r.trajectory.question.id).toBe(r.id);
    }
    expect(recs.reduce((s, r) => s + r.em, 0) / 20).toBeCloseTo(summary?.em ?? -1, 12);
    expect(recs.reduce((s, r) => s + r.cost, 0) / 20).toBeCloseTo(summary?.cost ?? -1, 9);
  });

  it('splits the bank: train and heldout are disjoint, heldout has 208 questions, the tasks partition each split', async () => {
    const bank = await loadOfflineBank(root);
    const ids = (task: 'all' | 'natural_qa' | 'trivia_qa', split: 'train' | 'heldout'): string[] => llmRouterQuestions(bank, task, split, dataDir).map((q) => q.id ?? '');
    const train = ids('all', 'train');
    const heldout = ids('all', 'heldout');
    expect(heldout).toHaveLength(208);
    expect(train.filter((id) => heldout.includes(id))).toEqual([]);
    expect(train.length + heldout.length).toBe(bank.questions.filter((q) => q.split === 'train').length);
    expect(ids('natural_qa', 'heldout').length + ids('trivia_qa', 'heldout').length).toBe(208);
    expect(ids('natural_qa', 'heldout').every((id) => id.startsWith('nq-'))).toBe(true);
    expect(ids('trivia_qa', 'train').every((id) => id.startsWith('tqa-'))).toBe(true);
    // The mirror has no test.json: the test split names the missing file.
    expect(() => llmRouterQuestions(bank, 'all', 'test', dataDir)).toThrow(EvalUsageError);
    expect(() => llmRouterQuestions(bank, 'all', 'test', dataDir)).toThrow(/dcrouter_preprocessed\/test\.json does not exist/);
  });

  it('answers bad flags with exit 2 and the usage', async () => {
    const out = join(tmp, 'bad.jsonl');
    const bad = async (args: Record<string, string>, message: RegExp): Promise<void> => {
      const r = await evalPolicy({ out, ...args });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/Usage: npm run -s cli -- eval --policy P/);
    };
    await bad({ policy: 'cheapest', dataset: 'llmrouter:all:validation' }, /Unknown split "validation".*train, test, heldout/);
    await bad({ policy: 'cheapest', dataset: 'llmrouter:squad:heldout' }, /Unknown task "squad".*natural_qa, trivia_qa, all/);
    await bad({ policy: 'cheapest', dataset: 'llmrouter:all:test' }, /test\.json does not exist/);
    await bad({ policy: 'cheapest', dataset: 'llmrouter:all:heldout', pool: 'paper' }, /--pool must be offline/);
    await bad({ policy: join(tmp, 'no-such-folder'), dataset: 'llmrouter:all:heldout' }, /no such model folder/);
    const empty = join(tmp, 'empty-model');
    mkdirSync(empty, { recursive: true });
    await bad({ policy: empty, dataset: 'llmrouter:all:heldout' }, /has no router\.json/);
    await bad({ policy: 'teacher:1.5', dataset: 'llmrouter:all:heldout' }, /teacher:<α> needs α in \[0, 1\]/);
    await bad({ policy: 'single:nope', dataset: 'llmrouter:all:heldout' }, /names no pool model/);
  });

  it('reports the teacher cascade: α 0.8 costs less than α 0 on the held-out questions', async () => {
    const a0 = await evalPolicy({ policy: 'teacher', dataset: 'llmrouter:all:heldout', out: join(tmp, 'teacher.jsonl') });
    const a8 = await evalPolicy({ policy: 'teacher:0.8', dataset: 'llmrouter:all:heldout', out: join(tmp, 'teacher-0.8.jsonl') });
    expect(a0.code).toBe(0);
    expect(a8.code).toBe(0);
    expect(a0.summary?.n).toBe(208);
    expect(a8.summary?.cost).toBeLessThan(a0.summary?.cost ?? 0);
    expect(a8.summary?.calls).toBeLessThan(a0.summary?.calls ?? 0);
    expect(a0.summary?.format_valid).toBe(1);
    expect(a8.summary?.format_valid).toBe(1);
  });

  it('runs a model folder greedily on onnxruntime-node, fitting episodes into the tiny router’s 512 positions', async () => {
    const out = join(tmp, 'tiny.jsonl');
    const r = await evalPolicy({ policy: TINY, dataset: 'llmrouter:natural_qa:heldout', limit: '2', out });
    expect(r.code).toBe(0);
    const s = r.summary as PolicyEvalSummary;
    expect(s).toMatchObject({ n: 2, policy: TINY, temperature: 0, failed: 0, alpha: 0 });
    expect(s.format_valid).toBeGreaterThanOrEqual(0);
    expect(s.format_valid).toBeLessThanOrEqual(1);
    expect(r.stderr).toMatch(/router\.json gives no alpha/);
    const recs = await records(out);
    expect(recs).toHaveLength(2);
    for (const rec of recs) {
      expect(rec.trajectory.status).not.toBe('failed');
      expect(rec.trajectory.settings.maxContextTokens + rec.trajectory.settings.maxNewTokens).toBeLessThanOrEqual(512);
      expect(rec.trajectory.policy.sampling?.temperature).toBe(0);
    }
  });
});
