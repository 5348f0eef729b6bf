/**
 * The conformance functions: one JSON-args entry per reference function, with argument validation,
 * so anyone can check the TypeScript against the Python reference with their own vectors.
 */
import {
  costRewardSequence,
  exactMatch,
  extractAnswer,
  f1Score,
  formatReward,
  normalizeAnswer,
  renderPrompt,
  resolveReferenceModel,
  routeCount,
  totalReward,
  type ReferenceTemplateId,
} from '../../core/index';

export class BadArgumentsError extends Error {
  override name = 'BadArgumentsError';
}

type Args = Record<string, unknown>;
export type TemplateLoader = (id: ReferenceTemplateId) => Promise<string>;

function str(args: Args, key: string): string {
  const v = args[key];
  if (typeof v !== 'string') throw new BadArgumentsError(`args.${key} must be a string, got ${describe(v)}`);
  return v;
}

/** A list of strings; a lone string is wrapped, as the reference's em_check does. */
function strList(args: Args, key: string): string[] {
  const v = args[key];
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    throw new BadArgumentsError(`args.${key} must be an array of strings, got ${describe(v)}`);
  }
  return v as string[];
}

function num(args: Args, key: string): number {
  const v = args[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new BadArgumentsError(`args.${key} must be a finite number, got ${describe(v)}`);
  return v;
}

function numList(args: Args, key: string): number[] {
  const v = args[key];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0)) {
    throw new BadArgumentsError(`args.${key} must be an array of non-negative finite numbers, got ${describe(v)}`);
  }
  return v as number[];
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}

function templateId(args: Args): ReferenceTemplateId {
  const t = args.template;
  if (t !== 'qwen' && t !== 'llama') throw new BadArgumentsError(`args.template must be "qwen" or "llama", got ${JSON.stringify(t) ?? 'nothing'}`);
  return t;
}

function metric(args: Args): 'em' | 'f1' {
  const m = args.metric ?? 'em';
  if (m !== 'em' && m !== 'f1') throw new BadArgumentsError(`args.metric must be "em" (or "f1"), got ${JSON.stringify(m)}`);
  return m;
}

export function createConformanceFunctions(loadTemplate: TemplateLoader) {
  return {
    normalize_answer: (a: Args) => normalizeAnswer(str(a, 'text')),
    exact_match: (a: Args) => exactMatch(str(a, 'prediction'), strList(a, 'golden_answers')),
    f1: (a: Args) => f1Score(str(a, 'prediction'), strList(a, 'golden_answers')),
    extract_answer: (a: Args) => extractAnswer(str(a, 'completion')) ?? null,
    format_reward: (a: Args) => formatReward(str(a, 'completion')),
    route_count: (a: Args) => routeCount(str(a, 'completion')),
    resolve_model: (a: Args) => resolveReferenceModel(str(a, 'name'))?.id ?? '',
    cost_reward_sequence: (a: Args) => costRewardSequence(numList(a, 'costs')),
    reward: (a: Args) =>
      totalReward({
        completion: str(a, 'completion'),
        goldAnswers: strList(a, 'golden_answers'),
        alpha: num(a, 'alpha'),
        costReward: num(a, 'cost_reward'),
        metric: metric(a),
      }),
    render_prompt: async (a: Args) => {
      const id = templateId(a);
      const question = str(a, 'question');
      return renderPrompt(await loadTemplate(id), question);
    },
  } satisfies Record<string, (a: Args) => unknown>;
}

export type ConformanceFunctions = ReturnType<typeof createConformanceFunctions>;
export type ConformanceRequest = { id: unknown; fn: string; args: Args };
export type ConformanceResponse = { id: unknown; result: unknown } | { id: unknown; error: string };

/** Parse and answer one input line. Never throws: every failure becomes an error line. */
export async function answerLine(fns: ConformanceFunctions, line: string, lineNo: number): Promise<ConformanceResponse> {
  let req: unknown;
  try {
    req = JSON.parse(line);
  } catch (err) {
    return { id: null, error: `line ${lineNo}: not valid JSON (${(err as Error).message})` };
  }
  if (typeof req !== 'object' || req === null || Array.isArray(req)) {
    return { id: null, error: `line ${lineNo}: expected an object {"id", "fn", "args"}` };
  }
  const { id = null, fn, args } = req as Partial<ConformanceRequest>;
  if (typeof fn !== 'string' || !Object.hasOwn(fns, fn)) {
    return { id, error: `unknown fn ${JSON.stringify(fn)}; expected one of ${Object.keys(fns).join(', ')}` };
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    return { id, error: `${fn}: args must be an object` };
  }
  try {
    const result = await fns[fn as keyof ConformanceFunctions](args);
    return { id, result };
  } catch (err) {
    const e = err as Error;
    return { id, error: `${fn}: ${e.name === 'BadArgumentsError' ? '' : `${e.name}: `}${e.message}` };
  }
}
