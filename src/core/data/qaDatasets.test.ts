/**
 * The QA loaders against the real mirror (../shared/data, read with node:fs through an inline DataRoot:
 * core tests may read fixture files, not import adapters), and the parser's errors on malformed lines.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataRootError, type DataRoot } from './dataRoot';
import { QA_DATASETS, loadQaDataset, parseQaJsonl, qaDatasetPath } from './qaDatasets';

const MIRROR = resolve(import.meta.dirname, '../../../../shared/data');
const mirror: DataRoot = { location: MIRROR, readText: (path) => readFile(resolve(MIRROR, path), 'utf8') };
const EXPECTED_ROWS: Record<string, number> = { nq: 500, triviaqa: 500, popqa: 500, hotpotqa: 500, '2wikimultihopqa': 500, musique: 500, bamboogle: 125 };

describe.skipIf(!existsSync(MIRROR))('the seven QA sets from the mirror', () => {
  it.each(QA_DATASETS.map((d) => d.id))('%s loads every row with a question and gold answers', async (id) => {
    const qs = await loadQaDataset(mirror, id);
    expect(qs).toHaveLength(EXPECTED_ROWS[id] ?? -1);
    for (const q of qs) {
      expect(q.dataset).toBe(id);
      expect(q.text.trim()).not.toBe('');
      expect(q.goldAnswers.length).toBeGreaterThan(0);
    }
    expect(new Set(qs.map((q) => q.id)).size).toBe(qs.length);
  });
});

describe('parseQaJsonl', () => {
  const good = '{"id": "a1", "question": "who?", "golden_answers": ["x", "y"], "metadata": {"k": 1}}';

  it('parses rows and skips blank lines', () => {
    expect(parseQaJsonl(`${good}\n\n{"id": 7, "question": "what", "golden_answers": ["z"]}\n`, 'f')).toEqual([
      { id: 'a1', question: 'who?', goldenAnswers: ['x', 'y'], metadata: { k: 1 } },
      { id: '7', question: 'what', goldenAnswers: ['z'], metadata: {} },
    ]);
  });

  it.each([
    ['{"id": "a", "question": ', 'line 2 is not valid JSON'],
    ['[1, 2]', 'line 2 is not a JSON object'],
    ['{"question": "q", "golden_answers": ["a"]}', 'line 2 has no "id"'],
    ['{"id": "a", "question": " ", "golden_answers": ["a"]}', 'line 2 has no non-empty "question"'],
    ['{"id": "a", "question": "q", "golden_answers": []}', 'line 2 needs "golden_answers"'],
    ['{"id": "a", "question": "q", "golden_answers": [3]}', 'line 2 needs "golden_answers"'],
  ])('names the file and line of a malformed row: %s', (bad, message) => {
    expect(() => parseQaJsonl(`${good}\n${bad}`, 'qa/nq/test.jsonl')).toThrow(DataRootError);
    expect(() => parseQaJsonl(`${good}\n${bad}`, 'qa/nq/test.jsonl')).toThrow(`qa/nq/test.jsonl ${message}`);
  });

  it('maps each dataset to its split file', () => {
    expect(qaDatasetPath('hotpotqa')).toBe('qa/hotpotqa/dev.jsonl');
    expect(qaDatasetPath('bamboogle')).toBe('qa/bamboogle/test.jsonl');
  });
});
