/**
 * The seven Router-R1 QA benchmarks (DESIGN.md §7, §9) in FlashRAG's jsonl format, one question per line:
 * `{id, question, golden_answers[], metadata}`. Read through the DataRoot port (mirror or upstream), parsed
 * strictly: a malformed line is an error that names the file and the line, never a silently dropped row.
 * Must not fetch anything itself or keep a copy of the data.
 */
import type { QuestionRecord } from '../env/trajectory';
import { DataRootError, type DataRoot } from './dataRoot';

export const QA_DATASETS = [
  { id: 'nq', label: 'Natural Questions', split: 'test' },
  { id: 'triviaqa', label: 'TriviaQA', split: 'test' },
  { id: 'popqa', label: 'PopQA', split: 'test' },
  { id: 'hotpotqa', label: 'HotpotQA', split: 'dev' },
  { id: '2wikimultihopqa', label: '2WikiMultiHopQA', split: 'dev' },
  { id: 'musique', label: 'MuSiQue', split: 'dev' },
  { id: 'bamboogle', label: 'Bamboogle', split: 'test' },
] as const;

export type QaDatasetId = (typeof QA_DATASETS)[number]['id'];

export function isQaDatasetId(id: string): id is QaDatasetId {
  return QA_DATASETS.some((d) => d.id === id);
}

/** `qa/<dataset>/<split>.jsonl`, the mirror's (and FlashRAG's) layout. */
export function qaDatasetPath(id: QaDatasetId): string {
  const d = QA_DATASETS.find((x) => x.id === id);
  if (d === undefined) throw new DataRootError(`Unknown QA dataset "${String(id)}"; expected one of ${QA_DATASETS.map((x) => x.id).join(', ')}.`);
  return `qa/${d.id}/${d.split}.jsonl`;
}

/** One FlashRAG row as the app uses it; `metadata` is kept as published. */
export interface QaRow {
  id: string;
  question: string;
  goldenAnswers: string[];
  metadata: Record<string, unknown>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses FlashRAG jsonl; `source` names the file in errors. Blank lines are skipped. */
export function parseQaJsonl(text: string, source: string): QaRow[] {
  const rows: QaRow[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const where = `${source} line ${i + 1}`;
    let row: unknown;
    try {
      row = JSON.parse(line) as unknown;
    } catch (err) {
      throw new DataRootError(`${where} is not valid JSON (${err instanceof Error ? err.message : String(err)}). Replace the file with a FlashRAG-format copy.`);
    }
    if (!isRecord(row)) throw new DataRootError(`${where} is not a JSON object; expected {id, question, golden_answers, metadata}.`);
    const { id, question, golden_answers: gold, metadata } = row;
    if (typeof id !== 'string' && typeof id !== 'number') throw new DataRootError(`${where} has no "id" (string or number).`);
    if (typeof question !== 'string' || question.trim() === '') throw new DataRootError(`${where} has no non-empty "question" string.`);
    if (!Array.isArray(gold) || gold.length === 0 || !gold.every((g) => typeof g === 'string')) {
      throw new DataRootError(`${where} needs "golden_answers": a non-empty list of strings.`);
    }
    rows.push({ id: String(id), question, goldenAnswers: gold as string[], metadata: isRecord(metadata) ? metadata : {} });
  }
  return rows;
}

/** The dataset's questions as QuestionRecords (dataset id set; the question text as published). */
export async function loadQaDataset(root: DataRoot, id: QaDatasetId, opts: { signal?: AbortSignal } = {}): Promise<QuestionRecord[]> {
  const path = qaDatasetPath(id);
  const text = await root.readText(path, opts.signal === undefined ? undefined : { signal: opts.signal });
  return parseQaJsonl(text, `${root.location.replace(/\/$/, '')}/${path}`).map((r) => ({
    id: r.id,
    dataset: id,
    text: r.question,
    goldAnswers: [...r.goldenAnswers],
  }));
}
