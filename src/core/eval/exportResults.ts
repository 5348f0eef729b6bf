/**
 * Exports of an evaluation: trajectories as JSONL (one JSON object per line, exactly the
 * Trajectory records, so they replay) and per-question rows as CSV (RFC 4180: a field with a comma,
 * quote or line break is quoted, quotes doubled; `models` joined with ';'). Both parse back to equal
 * values. Pure text in, text out: the host writes the files.
 */
import { TRAJECTORY_VERSION, type Trajectory } from '../env/trajectory';
import type { EvalRow } from './evalTypes';

export class EvalExportError extends Error {
  override name = 'EvalExportError';
}

export const CSV_COLUMNS = ['id', 'dataset', 'method', 'em', 'f1', 'format', 'costUnits', 'costUsd', 'calls', 'turns', 'models', 'reward', 'status', 'questionIndex'] as const;

export function trajectoriesToJsonl(trajectories: readonly Trajectory[]): string {
  return trajectories.map((t) => JSON.stringify(t) + '\n').join('');
}

/** Parses JSONL trajectories; `source` names the file in errors. Blank lines are skipped. */
export function parseTrajectoriesJsonl(text: string, source = 'results.jsonl'): Trajectory[] {
  const out: Trajectory[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line) as unknown;
    } catch (err) {
      throw new EvalExportError(`${source} line ${i + 1} is not valid JSON (${err instanceof Error ? err.message : String(err)}).`);
    }
    const t = value as Partial<Trajectory> | null;
    if (t === null || typeof t !== 'object' || t.version !== TRAJECTORY_VERSION || !Array.isArray(t.rounds)) {
      throw new EvalExportError(`${source} line ${i + 1} is not a trajectory record (version ${TRAJECTORY_VERSION} with rounds).`);
    }
    out.push(t as Trajectory);
  });
  return out;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Numbers are written with full precision (String(x)) so they parse back exactly. */
export function rowsToCsv(rows: readonly EvalRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) {
    const cells = CSV_COLUMNS.map((c) => (c === 'models' ? r.models.join(';') : String(r[c])));
    lines.push(cells.map(csvField).join(','));
  }
  return lines.join('\n') + '\n';
}

/** RFC 4180 records (quoted fields may hold commas, quotes and line breaks). */
export function parseCsvRecords(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

export function parseRowsCsv(text: string, source = 'results.csv'): EvalRow[] {
  const [header, ...records] = parseCsvRecords(text);
  if (header === undefined || header.join(',') !== CSV_COLUMNS.join(',')) {
    throw new EvalExportError(`${source} does not start with the header ${CSV_COLUMNS.join(',')}.`);
  }
  return records.map((cells, i) => {
    if (cells.length !== CSV_COLUMNS.length) throw new EvalExportError(`${source} record ${i + 2} has ${cells.length} fields, expected ${CSV_COLUMNS.length}.`);
    const get = (c: (typeof CSV_COLUMNS)[number]): string => cells[CSV_COLUMNS.indexOf(c)] as string;
    const num = (c: (typeof CSV_COLUMNS)[number]): number => {
      const v = Number(get(c));
      if (get(c) === '' || !Number.isFinite(v)) throw new EvalExportError(`${source} record ${i + 2}: ${c} is not a number ("${get(c)}").`);
      return v;
    };
    return {
      id: get('id'),
      questionIndex: num('questionIndex'),
      dataset: get('dataset'),
      method: get('method'),
      em: num('em') === 1 ? 1 : 0,
      f1: num('f1'),
      format: num('format') === 0 ? 0 : -1,
      costUnits: num('costUnits'),
      costUsd: num('costUsd'),
      calls: num('calls'),
      turns: num('turns'),
      models: get('models') === '' ? [] : get('models').split(';'),
      reward: num('reward'),
      status: get('status') as EvalRow['status'],
    };
  });
}
