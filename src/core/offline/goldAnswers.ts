/**
 * Gold answers of an LLMRouter query row. `ground_truth` is a plain string for NQ and TriviaQA in the
 * pinned upstream, but other rows of the same file hold lists and Python-repr'd lists ("['a', 'b']"),
 * so the parser accepts all three. Never throws: an unparseable value is one answer, an empty one none.
 */

/** A list of single- or double-quoted Python string literals separated by commas, e.g. "['a', \"b\"]". */
const PY_STRING = /'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/gy;

export function parseGoldAnswers(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return cleanAnswers(value.flatMap((v) => (typeof v === 'string' || typeof v === 'number' ? [String(v)] : [])));
  if (typeof value === 'number') return [String(value)];
  if (typeof value !== 'string') return [];
  const text = value.trim();
  if (text.startsWith('[') && text.endsWith(']')) {
    const list = parseJsonList(text) ?? parsePythonList(text);
    if (list !== undefined) return cleanAnswers(list);
  }
  return cleanAnswers([text]);
}

function parseJsonList(text: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) && parsed.every((v) => typeof v === 'string') ? (parsed as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** `['a', "b's"]` → ['a', "b's"]; undefined unless the whole text is such a list. */
function parsePythonList(text: string): string[] | undefined {
  const out: string[] = [];
  let i = 1;
  const skipSpace = (): void => {
    while (i < text.length - 1 && /\s/.test(text[i] ?? '')) i++;
  };
  skipSpace();
  while (i < text.length - 1) {
    PY_STRING.lastIndex = i;
    const m = PY_STRING.exec(text);
    if (m === null) return undefined;
    out.push(unescapePython(m[1] ?? m[2] ?? ''));
    i = PY_STRING.lastIndex;
    skipSpace();
    if (text[i] === ',') {
      i++;
      skipSpace();
    } else if (i !== text.length - 1) {
      return undefined;
    }
  }
  return out;
}

function unescapePython(s: string): string {
  return s.replace(/\\(['"\\])/g, '$1');
}

/** Trimmed, non-empty, first occurrence kept, order preserved. */
function cleanAnswers(answers: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of answers) {
    const t = a.trim();
    if (t !== '' && !out.includes(t)) out.push(t);
  }
  return out;
}
