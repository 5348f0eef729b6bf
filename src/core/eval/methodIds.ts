/**
 * Method ids ↔ method specs: `methodId` names a method in tables, files, the CLI and the app
 * (single:<model>, random, cheapest, largest, cascade, oracle, teacher, teacher:<α>, policy:<id>), and
 * `parseMethodId` is its one inverse — methodId(parseMethodId(id)) === id for every id methodId writes.
 *
 * Not for: deciding whether a method fits a pool (hosts do that), or host shorthand such as the CLI's
 * `all`, comma lists and `onnx:<folder>` (thin layers over this one).
 */
import type { EvalMethodSpec } from './evalTypes';

/** What an id may look like, for error messages. */
export const METHOD_ID_FORMS = 'single:<model>, random, cheapest, largest, cascade, oracle, teacher, teacher:<α> or policy:<id>';

export class EvalMethodError extends Error {
  override name = 'EvalMethodError';
}

/** An id of no known form (hosts with their own shorthand list theirs instead of METHOD_ID_FORMS). */
export class UnknownMethodIdError extends EvalMethodError {
  override name = 'UnknownMethodIdError';
  constructor(readonly id: string) {
    super(`Unknown method "${id}"; use ${METHOD_ID_FORMS}.`);
  }
}

/** The methods with no parameter: the id is the kind. */
const PLAIN_KINDS = ['random', 'cheapest', 'largest', 'cascade', 'oracle'] as const;
type PlainKind = (typeof PLAIN_KINDS)[number];
const isPlainKind = (id: string): id is PlainKind => (PLAIN_KINDS as readonly string[]).includes(id);

/** Stable method ids, as in tables, files and the CLI: single:<model>, random, …, teacher, teacher:<α>, policy:<id>. */
export function methodId(m: EvalMethodSpec): string {
  switch (m.kind) {
    case 'single':
      return `single:${m.model}`;
    case 'teacher':
      return m.alpha === 0 ? 'teacher' : `teacher:${m.alpha}`;
    case 'policy':
      return `policy:${m.id}`;
    default:
      return m.kind;
  }
}

/**
 * The spec an id names (its inverse: `policy:<id>` gives `{ kind: 'policy', id }`, with no label or
 * variant — the host adds those). Throws EvalMethodError with the accepted forms for anything else.
 */
export function parseMethodId(id: string): EvalMethodSpec {
  if (isPlainKind(id)) return { kind: id };
  if (id === 'teacher') return { kind: 'teacher', alpha: 0 };
  const colon = id.indexOf(':');
  const head = colon < 0 ? id : id.slice(0, colon);
  const rest = colon < 0 ? '' : id.slice(colon + 1);
  if (head === 'single' && colon >= 0) {
    if (rest === '') throw new EvalMethodError('single:<model> needs a pool model name, e.g. single:llama3-chatqa-1.5-8b.');
    return { kind: 'single', model: rest };
  }
  if (head === 'teacher' && colon >= 0) {
    const alpha = Number(rest);
    if (rest.trim() === '' || !Number.isFinite(alpha) || alpha < 0 || alpha > 1) throw new EvalMethodError(`teacher:<α> needs α in [0, 1], got "${rest}".`);
    return { kind: 'teacher', alpha };
  }
  if (head === 'policy' && colon >= 0) {
    if (rest === '') throw new EvalMethodError('policy:<id> needs a policy id, e.g. policy:loaded.');
    return { kind: 'policy', id: rest };
  }
  throw new UnknownMethodIdError(id);
}

/** The teacher cascade's id at α (`teacher` at 0, else `teacher:<α>`). */
export const teacherMethodId = (alpha: number): string => methodId({ kind: 'teacher', alpha });
