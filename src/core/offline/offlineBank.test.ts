/**
 * Loading the offline bank from the real mirror (../shared/data, read at run time, never copied) and
 * from temporary data roots with broken files.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mirrorDataRoot } from '../../testing/dataRoot';
import { DataRootError, type DataRoot } from '../data/dataRoot';
import { REFERENCE_MODEL_IDS } from '../protocol/modelNames';
import { parseGoldAnswers } from './goldAnswers';
import { loadOfflineBank, OFFLINE_DATA_PATHS, type OfflineBank } from './offlineBank';
import { offlineBankQuestions, offlinePoolModels } from './offlinePool';

const SCORED_MODELS = [
  'qwen2.5-7b-instruct',
  'codegemma-7b',
  'gemma-2-9b-it',
  'llama-3.1-8b-instruct',
  'llama3-chatqa-1.5-8b',
  'mistral-7b-instruct-v0.3',
  'llama-3.3-nemotron-super-49b-v1',
  'llama-3.1-nemotron-51b-instruct',
  'llama3-chatqa-1.5-70b',
];

describe('loadOfflineBank on the mirror', () => {
  let bank: OfflineBank;
  beforeAll(async () => {
    bank = await loadOfflineBank(mirrorDataRoot());
  });

  it('keeps the 500 NQ and 500 TriviaQA questions of train.json and skips the absent test split', () => {
    expect(bank.stats.rows).toEqual({ train: 5608, test: null, queries: 5608, models: 14 });
    expect(bank.stats.kept).toEqual({ natural_qa: { train: 500, test: 0 }, trivia_qa: { train: 500, test: 0 } });
    expect(bank.stats.droppedOtherTasks).toBe(4608);
    expect(bank.stats.droppedNoGold + bank.stats.droppedUnjoined + bank.stats.droppedDuplicates).toBe(0);
    expect(bank.questions).toHaveLength(1000);
    expect(new Set(bank.questions.map((q) => q.id)).size).toBe(1000);
    expect(bank.questions.every((q) => q.split === 'train' && /^(nq|tqa)-[0-9a-f]{16}$/.test(q.id))).toBe(true);
  });

  it('joins each score row with its query row (task and gold answer)', () => {
    const q = bank.questions.find((x) => x.question === "who sings i've got to be me");
    expect(q).toMatchObject({ task: 'natural_qa', goldAnswers: ['Sammy Davis, Jr'] });
    expect(Object.keys(q?.scores ?? {}).sort()).toEqual([...SCORED_MODELS].sort());
    const t = bank.questions.find((x) => x.question.startsWith('Which Bavarian town stages a wagner festival'));
    expect(t).toMatchObject({ task: 'trivia_qa', goldAnswers: ['bayreuth germany'] });
    expect(bank.questions.every((x) => x.goldAnswers.length > 0)).toBe(true);
  });

  it('has ids that are stable across loads', async () => {
    const again = await loadOfflineBank(mirrorDataRoot());
    expect(again.questions.map((q) => q.id)).toEqual(bank.questions.map((q) => q.id));
  });

  it('lists the nine scored models with prices from default_llm.json and the unscored ones in stats', () => {
    expect(bank.models.map((m) => m.name)).toEqual(SCORED_MODELS);
    expect(bank.models.find((m) => m.name === 'gemma-2-9b-it')).toMatchObject({ inputPer1M: 0.1, outputPer1M: 0.1, size: '9B', nimId: 'google/gemma-2-9b-it' });
    expect(bank.models.every((m) => m.descriptor.length > 20)).toBe(true);
    expect(bank.stats.unscoredModels).toHaveLength(5);
  });

  it('gives PoolModelRecords: offline, simulated, reference ids only for the paper ids', () => {
    const pool = offlinePoolModels(bank);
    expect(pool).toHaveLength(9);
    expect(pool.every((m) => m.provider === 'offline' && m.simulated === true && m.providerModelId === m.name)).toBe(true);
    expect(pool.find((m) => m.name === 'llama-3.1-8b-instruct')).toMatchObject({ referenceId: REFERENCE_MODEL_IDS.llama8b, outputPer1M: 0.2 });
    expect(pool.find((m) => m.name === 'llama3-chatqa-1.5-70b')?.referenceId).toBeUndefined();
    expect(pool.filter((m) => m.referenceId !== undefined).map((m) => m.name).sort()).toEqual([
      'llama-3.1-8b-instruct',
      'llama-3.1-nemotron-51b-instruct',
      'llama-3.3-nemotron-super-49b-v1',
      'llama3-chatqa-1.5-8b',
      'mistral-7b-instruct-v0.3',
      'qwen2.5-7b-instruct',
    ]);
  });

  it('offers the questions to a question picker as offline-nq / offline-triviaqa', () => {
    const all = offlineBankQuestions(bank);
    expect(all).toHaveLength(1000);
    expect(offlineBankQuestions(bank, { task: 'natural_qa' }).every((q) => q.dataset === 'offline-nq')).toBe(true);
    expect(offlineBankQuestions(bank, { task: 'trivia_qa' }).every((q) => q.dataset === 'offline-triviaqa')).toBe(true);
    expect(offlineBankQuestions(bank, { split: 'test' })).toEqual([]);
    expect(all[0]).toEqual({ id: bank.questions[0]?.id, dataset: expect.any(String), text: bank.questions[0]?.question, goldAnswers: bank.questions[0]?.goldAnswers });
  });

  it('keeps only the requested tasks', async () => {
    const nq = await loadOfflineBank(mirrorDataRoot(), { tasks: ['natural_qa'] });
    expect(nq.questions.every((q) => q.task === 'natural_qa')).toBe(true);
    expect(nq.stats.kept.natural_qa.train).toBe(500);
    expect(nq.stats.droppedOtherTasks).toBe(5108);
  });
});

describe('parseGoldAnswers', () => {
  it('reads strings, lists and stringified lists', () => {
    expect(parseGoldAnswers('Sammy Davis, Jr')).toEqual(['Sammy Davis, Jr']);
    expect(parseGoldAnswers(['a', ' b ', 'a', ''])).toEqual(['a', 'b']);
    expect(parseGoldAnswers('["x", "y"]')).toEqual(['x', 'y']);
    expect(parseGoldAnswers("['Paul \"Bear\" Bryant', 'it\\'s']")).toEqual(['Paul "Bear" Bryant', "it's"]);
    expect(parseGoldAnswers('[not a list')).toEqual(['[not a list']);
    expect(parseGoldAnswers('[1, 2]')).toEqual(['[1, 2]']);
    expect(parseGoldAnswers(7)).toEqual(['7']);
    expect(parseGoldAnswers('  ')).toEqual([]);
    expect(parseGoldAnswers(null)).toEqual([]);
  });
});

describe('loadOfflineBank with broken data roots', () => {
  let dir: string;
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  const trainRows = [
    { question: 'who wrote the tiny test', scores: { m1: 1, m2: 0 }, cluster_id: 0 },
    { question: 'what is the tiny capital?', scores: { m1: 0, m2: 1 }, cluster_id: 1 },
    { question: 'solve 2+2', scores: { m1: 1, m2: 1 }, cluster_id: 2 },
    { question: 'who has no gold', scores: { m1: 1, m2: 1 }, cluster_id: 0 },
    { question: 'who has no query row', scores: { m1: 1, m2: 1 }, cluster_id: 0 },
  ];
  const queryRows = [
    { task_name: 'natural_qa', query: 'who wrote the tiny test', ground_truth: 'Ann Author' },
    { task_name: 'trivia_qa', query: 'what is the tiny capital?', ground_truth: "['Smallville', 'Small Town']" },
    { task_name: 'math', query: 'solve 2+2', ground_truth: '4' },
    { task_name: 'natural_qa', query: 'who has no gold', ground_truth: '' },
  ];
  const models = {
    m1: { size: '7B', feature: 'model one', input_price: 0.1, output_price: 0.2, model: 'x/m1', service: 'NVIDIA' },
    m2: { size: '70B', feature: 'model two', input_price: 0.9, output_price: 0.9, model: 'x/m2', service: 'NVIDIA' },
  };
  const writeGood = (): void => {
    write(OFFLINE_DATA_PATHS.train, JSON.stringify(trainRows));
    write(OFFLINE_DATA_PATHS.queries, queryRows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    write(OFFLINE_DATA_PATHS.models, JSON.stringify(models));
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'offline-bank-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a small well-formed root and counts what it drops', async () => {
    writeGood();
    const bank = await loadOfflineBank(mirrorDataRoot(dir));
    expect(bank.questions.map((q) => [q.task, q.goldAnswers])).toEqual([
      ['natural_qa', ['Ann Author']],
      ['trivia_qa', ['Smallville', 'Small Town']],
    ]);
    expect(bank.stats).toMatchObject({ droppedNoGold: 1, droppedUnjoined: 1, droppedOtherTasks: 1, rows: { test: null } });
  });

  it('reads test.json when present, as the test split, and drops repeated questions', async () => {
    writeGood();
    write(OFFLINE_DATA_PATHS.test, JSON.stringify([trainRows[0], { ...trainRows[1], question: 'What is the TINY capital' }]));
    write(OFFLINE_DATA_PATHS.queries, [...queryRows, { task_name: 'trivia_qa', query: 'What is the TINY capital', ground_truth: 'Smallville' }].map((r) => JSON.stringify(r)).join('\n'));
    const bank = await loadOfflineBank(mirrorDataRoot(dir));
    expect(bank.stats.rows.test).toBe(2);
    expect(bank.stats.droppedDuplicates).toBe(2);
    expect(bank.questions.every((q) => q.split === 'train')).toBe(true);
    rmSync(join(dir, OFFLINE_DATA_PATHS.test));
  });

  it.each([
    ['train.json is not JSON', OFFLINE_DATA_PATHS.train, '[{"question": ', /train\.json is malformed: not valid JSON.*raw\.githubusercontent\.com.*dcrouter_preprocessed\/train\.json/s],
    ['train.json is not a list', OFFLINE_DATA_PATHS.train, '{}', /train\.json is malformed: expected a JSON list/],
    ['a score is not a number', OFFLINE_DATA_PATHS.train, '[{"question": "q", "scores": {"m1": "high"}}]', /item 0 has a non-numeric score for "m1"/],
    ['a query line is broken', OFFLINE_DATA_PATHS.queries, '{"task_name": "natural_qa", "query": "q", "ground_truth": "a"}\n{oops', /default_query_train\.jsonl is malformed: line 2 is not valid JSON/],
    ['a model has no price', OFFLINE_DATA_PATHS.models, '{"m1": {"size": "7B"}}', /default_llm\.json is malformed: model "m1" has no numeric input_price/],
    ['test.json is present but broken', OFFLINE_DATA_PATHS.test, 'nope', /test\.json is malformed: not valid JSON/],
  ])('fails with a DataRootError naming the file when %s', async (_what, path, text, message) => {
    writeGood();
    write(path, text);
    const err: unknown = await loadOfflineBank(mirrorDataRoot(dir)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataRootError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toContain(dir);
    rmSync(join(dir, OFFLINE_DATA_PATHS.test), { force: true });
  });

  it('fails when a scored model has no price entry', async () => {
    writeGood();
    write(OFFLINE_DATA_PATHS.models, JSON.stringify({ m1: models.m1 }));
    await expect(loadOfflineBank(mirrorDataRoot(dir))).rejects.toThrow(/no entry for the scored model\(s\) m2/);
  });

  it('fails when a required file is missing, passing on the data root error', async () => {
    writeGood();
    rmSync(join(dir, OFFLINE_DATA_PATHS.queries));
    await expect(loadOfflineBank(mirrorDataRoot(dir))).rejects.toThrow(/default_query_train\.jsonl is missing from the data root/);
  });

  it('skips test.json only when it is missing (HTTP 404), not on other failures', async () => {
    writeGood();
    const files = new Map<string, string>();
    for (const p of [OFFLINE_DATA_PATHS.train, OFFLINE_DATA_PATHS.queries, OFFLINE_DATA_PATHS.models]) files.set(p, readFileSync(join(dir, p), 'utf8'));
    const httpRoot = (status: number): DataRoot => ({
      location: 'https://example.test/data',
      async readText(path) {
        const text = files.get(path);
        if (text === undefined) throw new DataRootError(`The data root https://example.test/data has no ${path} (HTTP ${status}). Check the data root setting.`);
        return text;
      },
    });
    await expect(loadOfflineBank(httpRoot(404))).resolves.toMatchObject({ stats: { rows: { test: null } } });
    await expect(loadOfflineBank(httpRoot(500))).rejects.toThrow(/test\.json \(HTTP 500\)/);
    await expect(loadOfflineBank(httpRoot(500), { includeTest: false })).resolves.toMatchObject({ stats: { rows: { test: null } } });
  });
});
