/**
 * Golden parity: every vector in vectors.jsonl was computed by the Python oracle (oracle.py, Python's own
 * re/str/numpy) and must come out of the TypeScript port identically (numbers within 1e-9).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createFsDataRoot } from '../../adapters/node/fsDataRoot';
import { loadReferenceTemplate } from '../../core/data/dataRoot';
import { answerLine, createConformanceFunctions } from './dispatch';
import { runConformance } from './run';

const DATA_ROOT = resolve(__dirname, '../../../../shared/data');
const root = createFsDataRoot(DATA_ROOT);
const fns = createConformanceFunctions((id) => loadReferenceTemplate(root, id));

interface Vector {
  id: string;
  fn: string;
  args: Record<string, unknown>;
  expected?: unknown;
  expected_sha256?: string;
}

const vectors: Vector[] = readFileSync(resolve(__dirname, 'vectors.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l !== '')
  .map((l) => JSON.parse(l) as Vector);

function close(actual: unknown, expected: unknown): boolean {
  if (typeof expected === 'number') return typeof actual === 'number' && Math.abs(actual - expected) <= 1e-9;
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => close(actual[i], e));
  }
  return actual === expected;
}

describe('conformance vectors from the Python oracle', () => {
  it('has vectors for every function', () => {
    expect(new Set(vectors.map((v) => v.fn))).toEqual(new Set(Object.keys(fns)));
    expect(vectors.length).toBeGreaterThan(3000);
  });

  it('reproduces every golden result', async () => {
    const failures: string[] = [];
    for (const v of vectors) {
      const res = await answerLine(fns, JSON.stringify({ id: v.id, fn: v.fn, args: v.args }), 1);
      if ('error' in res) {
        failures.push(`${v.id}: error ${res.error}`);
        continue;
      }
      if (v.expected_sha256 !== undefined) {
        const sha = createHash('sha256').update(res.result as string, 'utf8').digest('hex');
        if (sha !== v.expected_sha256) failures.push(`${v.id}: prompt hash differs`);
      } else if (!close(res.result, v.expected)) {
        failures.push(`${v.id}: ${JSON.stringify(v.args).slice(0, 300)}\n  expected ${JSON.stringify(v.expected)}\n  got      ${JSON.stringify(res.result)}`);
      }
    }
    expect(failures.slice(0, 20).join('\n')).toBe('');
  });
});

describe('conformance stream', () => {
  async function run(input: string, dataRoot = DATA_ROOT): Promise<unknown[]> {
    const inp = new PassThrough();
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString('utf8')));
    inp.end(input);
    await runConformance(inp, out, createFsDataRoot(dataRoot));
    return text.trim().split('\n').map((l) => JSON.parse(l) as unknown);
  }

  it('answers in order and turns bad lines into error lines without stopping', async () => {
    const lines = [
      '{"id":1,"fn":"exact_match","args":{"prediction":"The Eiffel Tower","golden_answers":["eiffel tower"]}}',
      'not json',
      '',
      '{"id":"x","fn":"no_such_fn","args":{}}',
      '{"id":3,"fn":"f1","args":{"prediction":"a"}}',
      '{"id":4,"fn":"render_prompt","args":{"template":"gpt","question":"q"}}',
      '{"id":5,"fn":"render_prompt","args":{"template":"qwen","question":" \\u00a0 "}}',
      '[1,2]',
      '{"id":6,"fn":"extract_answer","args":{"completion":"<think>x</think>"}}',
    ];
    const out = await run(lines.join('\n'));
    expect(out).toEqual([
      { id: 1, result: 1 },
      { id: null, error: expect.stringContaining('line 2: not valid JSON') },
      { id: 'x', error: expect.stringContaining('unknown fn "no_such_fn"') },
      { id: 3, error: 'f1: args.golden_answers must be an array of strings, got nothing' },
      { id: 4, error: expect.stringContaining('args.template must be "qwen" or "llama"') },
      { id: 5, error: expect.stringContaining('question is empty') },
      { id: null, error: expect.stringContaining('line 8: expected an object') },
      { id: 6, result: null },
    ]);
  });

  it('renders the prompt from the data root: strip, ? rule, one user message', async () => {
    const [q1, q2] = (await run(
      ['{"id":1,"fn":"render_prompt","args":{"template":"llama","question":"  who wrote Dune \\n"}}',
       '{"id":2,"fn":"render_prompt","args":{"template":"llama","question":"who wrote Dune?"}}'].join('\n'),
    )) as { result: string }[];
    expect(q1?.result).toBe(q2?.result);
    expect(q1?.result.endsWith('Question: who wrote Dune?\n\n')).toBe(true);
  });

  it('reports a missing data root clearly and keeps answering other lines', async () => {
    const out = await run(
      ['{"id":1,"fn":"render_prompt","args":{"template":"qwen","question":"q"}}', '{"id":2,"fn":"resolve_model","args":{"name":"gemma"}}'].join('\n'),
      '/nonexistent/data-root',
    );
    expect(out).toEqual([
      { id: 1, error: expect.stringMatching(/data root .*does not exist.*--data-root/) },
      { id: 2, result: 'google/gemma-2-27b-it' },
    ]);
  });
});
