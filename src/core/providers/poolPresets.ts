/**
 * Pool presets built at run time from the data root (never committed copies of its texts): the paper's
 * six-model pool (router-r1/pool.json) and the nine scored LLMRouter models (default_llm.json). Names and
 * prices are the files'; the provider mapping is a default the user can edit, on a provider that answers
 * browser calls (the reference's NVIDIA NIM sends no CORS headers — DESIGN.md §2.3).
 */
import { DataRootError, DATA_PATHS } from '../data/dataRoot';
import type { PoolModelRecord } from '../env/trajectory';

export interface PresetModel {
  record: PoolModelRecord;
  /** The descriptor text from the data file (shown in the pool editor and prompts). */
  descriptor: string;
  /** Parameter count as the file states it ("7B", "141B total / 39B active"). */
  size?: string;
}

/** OpenRouter ids for the reference (NIM) ids; models without one keep the NIM id for the user to edit. */
export const OPENROUTER_MODEL_IDS: Readonly<Record<string, string>> = {
  'qwen/qwen2.5-7b-instruct': 'qwen/qwen-2.5-7b-instruct',
  'meta/llama-3.1-8b-instruct': 'meta-llama/llama-3.1-8b-instruct',
  'meta/llama-3.1-70b-instruct': 'meta-llama/llama-3.1-70b-instruct',
  'mistralai/mistral-7b-instruct-v0.3': 'mistralai/mistral-7b-instruct',
  'mistralai/mixtral-8x22b-instruct-v0.1': 'mistralai/mixtral-8x22b-instruct',
  'google/gemma-2-27b-it': 'google/gemma-2-27b-it',
  'google/gemma-2-9b-it': 'google/gemma-2-9b-it',
  'nvidia/llama-3.3-nemotron-super-49b-v1': 'nvidia/llama-3.3-nemotron-super-49b-v1',
};

/** The models LLMRouter's dcrouter data scores per question (names as in its scores file). */
export const LLMROUTER_SCORED_MODELS = [
  'qwen2.5-7b-instruct',
  'llama-3.1-8b-instruct',
  'mistral-7b-instruct-v0.3',
  'gemma-2-9b-it',
  'codegemma-7b',
  'llama3-chatqa-1.5-8b',
  'llama3-chatqa-1.5-70b',
  'llama-3.1-nemotron-51b-instruct',
  'llama-3.3-nemotron-super-49b-v1',
] as const;

export const LLMROUTER_CANDIDATES_PATH = 'llmrouter/data/example_data/llm_candidates/default_llm.json';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseSource(input: unknown, source: string): unknown {
  if (typeof input !== 'string') return input;
  try {
    return JSON.parse(input) as unknown;
  } catch {
    throw new DataRootError(`${source} is not valid JSON. Point the data root at a copy of shared/data (see its README) or at the upstream URL.`);
  }
}

function invalid(source: string, detail: string): DataRootError {
  return new DataRootError(`${source} is malformed: ${detail}. Point the data root at a copy of shared/data (see its README) or at the upstream URL.`);
}

function providerFor(referenceId: string): { provider: string; providerModelId: string } {
  return { provider: 'openrouter', providerModelId: OPENROUTER_MODEL_IDS[referenceId] ?? referenceId };
}

export interface PaperPoolOptions {
  /** Add the two "unseen" models of the generalisation experiment (default false). */
  includeUnseen?: boolean;
  /** For messages (default the data-root path). */
  source?: string;
}

/** The paper's pool from router-r1/pool.json (parsed or as text). Price per 1M completion tokens → outputPer1M (and inputPer1M). */
export function paperPoolPreset(poolJson: unknown, opts: PaperPoolOptions = {}): PresetModel[] {
  const source = opts.source ?? DATA_PATHS.pool;
  const json = parseSource(poolJson, source);
  if (!isObject(json) || !Array.isArray(json['pool'])) throw invalid(source, 'expected an object with a "pool" array');
  const entries: unknown[] = [...json['pool'], ...(opts.includeUnseen === true && Array.isArray(json['unseen']) ? json['unseen'] : [])];
  if (entries.length === 0) throw invalid(source, 'the "pool" array is empty');
  return entries.map((e, i) => {
    if (!isObject(e)) throw invalid(source, `entry ${i} is not an object`);
    const { name, nim_id: nimId, price_per_1m: price, descriptor, params } = e;
    if (typeof name !== 'string' || name.trim() === '') throw invalid(source, `entry ${i} has no "name"`);
    if (typeof nimId !== 'string' || nimId === '') throw invalid(source, `"${name}" has no "nim_id"`);
    if (typeof price !== 'number' || !Number.isFinite(price) || price < 0) throw invalid(source, `"${name}" has no valid "price_per_1m"`);
    if (typeof descriptor !== 'string') throw invalid(source, `"${name}" has no "descriptor"`);
    // The reference bills completion tokens only; the same price stands in for prompt tokens (real dollars).
    const record: PoolModelRecord = { name, ...providerFor(nimId), inputPer1M: price, outputPer1M: price, referenceId: nimId };
    return typeof params === 'string' ? { record, descriptor, size: params } : { record, descriptor };
  });
}

function price(v: unknown): number | undefined {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** The nine scored LLMRouter models from default_llm.json (parsed or as text), with its input/output prices. */
export function llmRouterPoolPreset(defaultLlmJson: unknown, opts: { source?: string } = {}): PresetModel[] {
  const source = opts.source ?? LLMROUTER_CANDIDATES_PATH;
  const json = parseSource(defaultLlmJson, source);
  if (!isObject(json)) throw invalid(source, 'expected an object keyed by model name');
  return LLMROUTER_SCORED_MODELS.map((name) => {
    const e = json[name];
    if (!isObject(e)) throw invalid(source, `the scored model "${name}" is missing`);
    const input = price(e['input_price']);
    const output = price(e['output_price']);
    const nimId = e['model'];
    if (input === undefined || output === undefined) throw invalid(source, `"${name}" has no valid input_price/output_price`);
    if (typeof nimId !== 'string' || nimId === '') throw invalid(source, `"${name}" has no "model" id`);
    const descriptor = typeof e['feature'] === 'string' ? e['feature'] : '';
    const record: PoolModelRecord = { name, ...providerFor(nimId), inputPer1M: input, outputPer1M: output, referenceId: nimId };
    return typeof e['size'] === 'string' ? { record, descriptor, size: e['size'] } : { record, descriptor };
  });
}
