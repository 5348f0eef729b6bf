/**
 * The offline pool's question bank (DESIGN.md §5, §9): LLMRouter's recorded per-question scores of real
 * LLMs, read as published from the data root and joined with the query file for task names and gold
 * answers. Only NQ and TriviaQA are kept (their scores are F1 of a short answer, 0 or 1 in practice).
 * Loading validates the files and fails with a DataRootError that names the file and says what to do;
 * it never fetches anything itself (the DataRoot adapter does) and keeps no copy of the data.
 */
import { DataRootError, UPSTREAM, type DataRoot } from '../data/dataRoot';
import { normalizeAnswer } from '../reward/normalize';
import { pyStrip } from '../text/pyText';
import { parseGoldAnswers } from './goldAnswers';
import { hashHex64 } from '../math/hash';

/** Paths inside the data root (the upstream layout of ulab-uiuc/LLMRouter under llmrouter/). */
export const OFFLINE_DATA_PATHS = {
  train: 'llmrouter/data/dcrouter_preprocessed/train.json',
  /** Upstream only; the mirror has no test split. Skipped when absent. */
  test: 'llmrouter/data/dcrouter_preprocessed/test.json',
  queries: 'llmrouter/data/example_data/query_data/default_query_train.jsonl',
  models: 'llmrouter/data/example_data/llm_candidates/default_llm.json',
} as const;

/** LLMRouter task names of the two kept tasks, and the dataset ids the question picker shows. */
export const OFFLINE_TASKS = ['natural_qa', 'trivia_qa'] as const;
export type OfflineTask = (typeof OFFLINE_TASKS)[number];
export const OFFLINE_DATASETS = { natural_qa: 'offline-nq', trivia_qa: 'offline-triviaqa' } as const satisfies Record<OfflineTask, string>;
export type OfflineSplit = 'train' | 'test';

export interface OfflineQuestion {
  /** Stable id: task prefix + a 64-bit hash of the question text ("nq-…", "tqa-…"). */
  id: string;
  task: OfflineTask;
  question: string;
  /** Non-empty; the first one is what a simulated correct reply states. */
  goldAnswers: string[];
  /** Recorded score (F1, 0..1) per model name. */
  scores: Record<string, number>;
  split: OfflineSplit;
}

export interface OfflineModel {
  /** LLMRouter's name (e.g. "llama-3.1-8b-instruct"): what the policy writes and the key of `scores`. */
  name: string;
  /** The NVIDIA NIM id from default_llm.json (e.g. "meta/llama-3.1-8b-instruct"). */
  nimId: string;
  inputPer1M: number;
  outputPer1M: number;
  descriptor: string;
  /** As published, e.g. "7B", "49B". */
  size: string;
}

export interface OfflineBankStats {
  /** Rows read per file; test is null when the file is absent. */
  rows: { train: number; test: number | null; queries: number; models: number };
  /** Kept questions per task and split. */
  kept: Record<OfflineTask, Record<OfflineSplit, number>>;
  /** Rows of a kept task whose ground truth is empty or missing. */
  droppedNoGold: number;
  /** Score rows with no query row of the same text (task and gold unknown). */
  droppedUnjoined: number;
  droppedOtherTasks: number;
  /** Questions whose normalised text repeats an earlier one (the first is kept). */
  droppedDuplicates: number;
  /** Models of default_llm.json that have no recorded scores (not in the bank). */
  unscoredModels: string[];
}

export interface OfflineBank {
  questions: OfflineQuestion[];
  /** The scored models, in default_llm.json order. */
  models: OfflineModel[];
  stats: OfflineBankStats;
}

export interface LoadOfflineBankOptions {
  /** Tasks to keep (default both). */
  tasks?: readonly OfflineTask[];
  /** Read test.json when the data root has it (default true). */
  includeTest?: boolean;
  signal?: AbortSignal;
}

interface ScoreRow {
  question: string;
  scores: Record<string, number>;
}

interface QueryRow {
  task_name: string;
  ground_truth: unknown;
}

const TASK_PREFIX: Record<OfflineTask, string> = { natural_qa: 'nq', trivia_qa: 'tqa' };

export async function loadOfflineBank(root: DataRoot, opts: LoadOfflineBankOptions = {}): Promise<OfflineBank> {
  const tasks = new Set<string>(opts.tasks ?? OFFLINE_TASKS);
  const read = (path: string): Promise<string> => root.readText(path, opts.signal === undefined ? undefined : { signal: opts.signal });
  const [trainText, testText, queriesText, modelsText] = await Promise.all([
    read(OFFLINE_DATA_PATHS.train),
    opts.includeTest === false ? Promise.resolve(undefined) : readOptional(read, OFFLINE_DATA_PATHS.test),
    read(OFFLINE_DATA_PATHS.queries),
    read(OFFLINE_DATA_PATHS.models),
  ]);
  const where = (path: string): string => `${root.location}/${path}`;
  const train = parseScoreRows(trainText, where(OFFLINE_DATA_PATHS.train));
  const test = testText === undefined ? undefined : parseScoreRows(testText, where(OFFLINE_DATA_PATHS.test));
  const queries = parseQueryRows(queriesText, where(OFFLINE_DATA_PATHS.queries));
  const catalog = parseModels(modelsText, where(OFFLINE_DATA_PATHS.models));

  const stats: OfflineBankStats = {
    rows: { train: train.length, test: test?.length ?? null, queries: queries.size, models: catalog.length },
    kept: { natural_qa: { train: 0, test: 0 }, trivia_qa: { train: 0, test: 0 } },
    droppedNoGold: 0,
    droppedUnjoined: 0,
    droppedOtherTasks: 0,
    droppedDuplicates: 0,
    unscoredModels: [],
  };
  const questions: OfflineQuestion[] = [];
  const seen = new Set<string>();
  const splits: [OfflineSplit, ScoreRow[]][] = [['train', train], ['test', test ?? []]];
  for (const [split, rows] of splits) {
    for (const row of rows) {
      const query = queries.get(row.question);
      if (query === undefined) {
        stats.droppedUnjoined++;
        continue;
      }
      if (!isOfflineTask(query.task_name) || !tasks.has(query.task_name)) {
        stats.droppedOtherTasks++;
        continue;
      }
      const goldAnswers = parseGoldAnswers(query.ground_truth);
      if (goldAnswers.length === 0) {
        stats.droppedNoGold++;
        continue;
      }
      const key = normalizeAnswer(pyStrip(row.question));
      if (seen.has(key)) {
        stats.droppedDuplicates++;
        continue;
      }
      seen.add(key);
      const task = query.task_name;
      questions.push({ id: `${TASK_PREFIX[task]}-${hashHex64(row.question)}`, task, question: row.question, goldAnswers, scores: row.scores, split });
      stats.kept[task][split]++;
    }
  }

  const scored = new Set(questions.flatMap((q) => Object.keys(q.scores)));
  const models = catalog.filter((m) => scored.has(m.name));
  stats.unscoredModels = catalog.filter((m) => !scored.has(m.name)).map((m) => m.name);
  const unpriced = [...scored].filter((name) => !catalog.some((m) => m.name === name));
  if (unpriced.length > 0) {
    throw new DataRootError(
      `${where(OFFLINE_DATA_PATHS.models)} has no entry for the scored model(s) ${unpriced.join(', ')}: prices and descriptors are needed. ` +
        `Use the default_llm.json of the same LLMRouter commit (${UPSTREAM.llmRouter}).`,
    );
  }
  return { questions, models, stats };
}

export function isOfflineTask(name: string): name is OfflineTask {
  return (OFFLINE_TASKS as readonly string[]).includes(name);
}

/**
 * Reads a file that may be absent (test.json is upstream only). Only a missing file is skipped; any
 * other failure (permissions, network, a server error) is reported. DataRoot has no "missing" flag yet,
 * so this recognises the adapters' signals: Node's ENOENT cause, an HTTP 404, or `missing: true`.
 */
async function readOptional(read: (path: string) => Promise<string>, path: string): Promise<string | undefined> {
  try {
    return await read(path);
  } catch (err) {
    if (isMissingFileError(err)) return undefined;
    throw err;
  }
}

export function isMissingFileError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if ((err as { missing?: unknown }).missing === true) return true;
  const cause = (err as { cause?: unknown }).cause;
  if (typeof cause === 'object' && cause !== null && (cause as { code?: unknown }).code === 'ENOENT') return true;
  return err instanceof DataRootError && /\bHTTP 404\b/.test(err.message);
}

function fixHint(path: string): string {
  const upstreamPath = path.slice(path.indexOf('llmrouter/') + 'llmrouter/'.length);
  return `Replace it with the file from ${UPSTREAM.llmRouter}${upstreamPath} or point the data root at a complete copy of shared/data.`;
}

function malformed(path: string, what: string, cause?: unknown): DataRootError {
  return new DataRootError(`${path} is malformed: ${what}. ${fixHint(path)}`, cause === undefined ? undefined : { cause });
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw malformed(path, `not valid JSON (${err instanceof Error ? err.message : String(err)})`, err);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseScoreRows(text: string, path: string): ScoreRow[] {
  const data = parseJson(text, path);
  if (!Array.isArray(data)) throw malformed(path, 'expected a JSON list of {question, scores, cluster_id}');
  return data.map((item: unknown, i) => {
    if (!isRecord(item) || typeof item.question !== 'string' || !isRecord(item.scores)) {
      throw malformed(path, `item ${i} has no string "question" and object "scores"`);
    }
    const scores: Record<string, number> = {};
    for (const [model, score] of Object.entries(item.scores)) {
      if (typeof score !== 'number' || !Number.isFinite(score)) throw malformed(path, `item ${i} has a non-numeric score for "${model}"`);
      scores[model] = score;
    }
    return { question: item.question, scores };
  });
}

/** query text → its first row (the few duplicated queries upstream are multiple-choice tasks). */
function parseQueryRows(text: string, path: string): Map<string, QueryRow> {
  const out = new Map<string, QueryRow>();
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let row: unknown;
    try {
      row = JSON.parse(line) as unknown;
    } catch (err) {
      throw malformed(path, `line ${i + 1} is not valid JSON (${err instanceof Error ? err.message : String(err)})`, err);
    }
    if (!isRecord(row) || typeof row.query !== 'string' || typeof row.task_name !== 'string') {
      throw malformed(path, `line ${i + 1} has no string "query" and "task_name"`);
    }
    if (!out.has(row.query)) out.set(row.query, { task_name: row.task_name, ground_truth: row.ground_truth });
  });
  return out;
}

function parseModels(text: string, path: string): OfflineModel[] {
  const data = parseJson(text, path);
  if (!isRecord(data)) throw malformed(path, 'expected a JSON object of model name → {size, feature, input_price, output_price, model}');
  return Object.entries(data).map(([name, entry]) => {
    if (!isRecord(entry) || typeof entry.input_price !== 'number' || typeof entry.output_price !== 'number') {
      throw malformed(path, `model "${name}" has no numeric input_price and output_price`);
    }
    return {
      name,
      nimId: typeof entry.model === 'string' ? entry.model : name,
      inputPer1M: entry.input_price,
      outputPer1M: entry.output_price,
      descriptor: typeof entry.feature === 'string' ? entry.feature : '',
      size: typeof entry.size === 'string' ? entry.size : '',
    };
  });
}
