/**
 * `cli conformance`: JSON lines {"id", "fn", "args"} on stdin → {"id", "result"} (or {"id", "error"})
 * on stdout, one per non-empty input line, in order.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { loadReferenceTemplate, type DataRoot } from '../../core/data/dataRoot';
import type { ReferenceTemplateId } from '../../core/index';
import { answerLine, createConformanceFunctions } from './dispatch';

export async function runConformance(input: Readable, output: Writable, root: DataRoot): Promise<{ lines: number; errors: number }> {
  const cache = new Map<ReferenceTemplateId, Promise<string>>();
  const loadTemplate = (id: ReferenceTemplateId) => {
    let p = cache.get(id);
    if (p === undefined) {
      p = loadReferenceTemplate(root, id);
      p.catch(() => cache.delete(id)); // a failed load is retried on the next line that needs it
      cache.set(id, p);
    }
    return p;
  };
  const fns = createConformanceFunctions(loadTemplate);
  const rl = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  let lines = 0;
  let errors = 0;
  for await (const line of rl) {
    lineNo++;
    if (line.trim() === '') continue;
    const res = await answerLine(fns, line, lineNo);
    lines++;
    if ('error' in res) errors++;
    if (!output.write(JSON.stringify(res) + '\n')) await new Promise((r) => output.once('drain', r));
  }
  return { lines, errors };
}
