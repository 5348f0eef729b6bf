/**
 * `router.json`, our own file in a model folder (DESIGN.md §3): which prompt template the policy was
 * trained with, the candidate pool, the cost weight α and where the weights came from. Template *ids*
 * only: the reference templates (qwen, llama) are loaded from the data root at run time and never
 * written into a folder we commit (DESIGN.md §2.1, §9); `compact` is the project's own template.
 *
 * Not for: tokenizer or generation settings (the HF files carry those).
 */
import type { TemplateId } from '../protocol/prompt';
import type { FolderDecoding } from '../policy/folderDecoding';

export const ROUTER_JSON_FORMAT = 1;
export const ROUTER_JSON_FILE = 'router.json';

export interface RouterJson {
  format: typeof ROUTER_JSON_FORMAT;
  /** 'qwen' | 'llama': the Router-R1 reference template, loaded from the data root; 'compact': ours. */
  prompt_template: TemplateId;
  /** The pool the policy was trained on: 'router-r1' (the paper's six models), 'offline', … */
  pool: string;
  /** The cost weight of the reward it was trained with (DESIGN.md §2.4); null when unknown. */
  alpha: number | null;
  /**
   * Decoding options the folder was measured with. `protocol_grammar`: the tag grammar processor
   * (policy/protocolGrammar.ts); `extractive_spans`: sub-queries and answers copied from the question
   * and the replies (policy/extractiveSpans.ts); `max_think_tokens`: the grammar closes longer thoughts.
   */
  decoding?: { protocol_grammar?: boolean; extractive_spans?: boolean; max_think_tokens?: number };
  provenance: {
    /** A Hugging Face repo id, a URL or "random" for test models. */
    source: string;
    revision?: string;
    /** What produced this folder, e.g. "router-r1-studio convert (q4)". */
    producer: string;
    license?: string;
    notes?: string;
  };
}

export class RouterJsonError extends Error {
  override name = 'RouterJsonError';
}

const TEMPLATE_IDS: readonly TemplateId[] = ['qwen', 'llama', 'compact'];

/** Validate a parsed router.json. Throws `RouterJsonError` naming the field. */
export function parseRouterJson(json: unknown): RouterJson {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new RouterJsonError('router.json must be a JSON object.');
  const r = json as Record<string, unknown>;
  if (r.format !== ROUTER_JSON_FORMAT) throw new RouterJsonError(`router.json: "format" must be ${ROUTER_JSON_FORMAT}, got ${JSON.stringify(r.format)}; this app may be older than the model folder.`);
  if (!TEMPLATE_IDS.includes(r.prompt_template as TemplateId)) {
    throw new RouterJsonError(`router.json: "prompt_template" must be one of ${TEMPLATE_IDS.join(', ')}, got ${JSON.stringify(r.prompt_template)}.`);
  }
  if (typeof r.pool !== 'string' || r.pool === '') throw new RouterJsonError('router.json: "pool" must be a non-empty string.');
  if (r.alpha !== null && (typeof r.alpha !== 'number' || !(r.alpha >= 0 && r.alpha <= 1))) throw new RouterJsonError('router.json: "alpha" must be a number in [0, 1] or null.');
  const p = r.provenance as Record<string, unknown> | null | undefined;
  if (typeof p !== 'object' || p === null || typeof p.source !== 'string' || typeof p.producer !== 'string') {
    throw new RouterJsonError('router.json: "provenance" must be an object with "source" and "producer" strings.');
  }
  const d = r.decoding as Record<string, unknown> | undefined;
  const flag = (v: unknown): boolean => v === undefined || typeof v === 'boolean';
  if (d !== undefined && (typeof d !== 'object' || d === null || !flag(d.protocol_grammar) || !flag(d.extractive_spans))) {
    throw new RouterJsonError('router.json: "decoding" must be an object whose "protocol_grammar" and "extractive_spans" are true or false.');
  }
  if (d?.max_think_tokens !== undefined && !(Number.isInteger(d.max_think_tokens) && (d.max_think_tokens as number) > 0)) {
    throw new RouterJsonError('router.json: "decoding.max_think_tokens" must be a positive integer.');
  }
  return json as RouterJson;
}

/** Whether a folder asks for the protocol grammar processor while it writes. */
export function usesProtocolGrammar(r: RouterJson | null): boolean {
  return r?.decoding?.protocol_grammar === true;
}

/** The decoding processors a folder asks for (policy/folderDecoding.ts). */
export function folderDecodingOf(r: RouterJson | null): FolderDecoding {
  const max = r?.decoding?.max_think_tokens;
  return { protocolGrammar: usesProtocolGrammar(r), extractiveSpans: usesExtractiveSpans(r), ...(max === undefined ? {} : { maxThinkTokens: max }) };
}

/** Whether a folder asks for extractive spans (sub-queries and answers copied from their sources) while it writes. */
export function usesExtractiveSpans(r: RouterJson | null): boolean {
  return r?.decoding?.extractive_spans === true;
}

/** Pretty JSON with a trailing newline (stable bytes for committed folders). */
export function serializeRouterJson(r: RouterJson): string {
  return JSON.stringify(parseRouterJson(r), null, 2) + '\n';
}
