/**
 * Prompt rendering (DESIGN.md §2.1). The reference templates are data: they are loaded at run time
 * through the data root (see data/dataRoot.ts) and never committed. The project's own texts, for its own
 * policies, are written here: the compact policy template and the default candidate (agent) prompt.
 * Must not hold a reference text.
 */
import { pyStrip } from '../text/pyText';

/**
 * The project's own candidate (agent) prompt, one `{query}`: short, asks for a direct reply. An episode sends
 * it to the routed model; the reference agent prompt (router-r1/agent_prompt) is data and loaded instead.
 */
export const DEFAULT_AGENT_TEMPLATE = 'Answer the question below accurately and concisely. If you are not sure, say so.\n\nQuestion: {query}';

export type ReferenceTemplateId = 'qwen' | 'llama';
export type TemplateId = ReferenceTemplateId | 'compact';

export class EmptyQuestionError extends Error {
  override name = 'EmptyQuestionError';
  constructor() {
    super('The question is empty (only whitespace). Type a question or pick one from a dataset.');
  }
}

/** The reference's question rule: strip, then append '?' unless the last character already is one. */
export function normalizeQuestion(question: string): string {
  const q = pyStrip(question);
  if (q === '') throw new EmptyQuestionError();
  return q.endsWith('?') ? q : q + '?';
}

export class TemplateError extends Error {
  override name = 'TemplateError';
}

/**
 * Python `template.format_map({key: value})` for templates with one named field: `{{` and `}}` are
 * literal braces; any other field or a stray brace is an error (as in Python).
 */
export function formatTemplate(template: string, fields: Record<string, string>): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    if (ch === '{' && template[i + 1] === '{') {
      out += '{';
      i++;
    } else if (ch === '}' && template[i + 1] === '}') {
      out += '}';
      i++;
    } else if (ch === '{') {
      const close = template.indexOf('}', i);
      if (close < 0) throw new TemplateError("The template has a single '{'; write '{{' for a literal brace.");
      out += fieldValue(template.slice(i + 1, close), fields);
      i = close;
    } else if (ch === '}') {
      throw new TemplateError("The template has a single '}'; write '}}' for a literal brace.");
    } else {
      out += ch;
    }
  }
  return out;
}

/** `{name}`, `{name!s}` and `{name:}` as Python formats a string field; other conversions and specs are refused. */
function fieldValue(field: string, fields: Record<string, string>): string {
  const m = /^([^!:]*)(?:!(s))?(?::)?$/.exec(field);
  const key = m?.[1] ?? field;
  if (m === null || !Object.hasOwn(fields, key)) {
    throw new TemplateError(`The template has an unsupported field {${field}}; expected ${Object.keys(fields).map((k) => `{${k}}`).join(', ')}.`);
  }
  return fields[key] as string;
}

/** The user-message string: the template with `{question}` replaced by the normalised question. */
export function renderPrompt(template: string, question: string): string {
  return formatTemplate(template, { question: normalizeQuestion(question) });
}

/** The candidate prompt: the agent template with `{query}` replaced by the query as sent (not stripped). */
export function renderAgentPrompt(agentTemplate: string, query: string): string {
  return formatTemplate(agentTemplate, { query });
}

export interface CompactPoolEntry {
  name: string;
  /** USD per 1M completion tokens. */
  pricePer1M: number;
}

/**
 * The project's own compact router prompt (for the embedded policies): short, so a small policy sees the
 * whole protocol, and it lists the pool's names and prices so the policy can weigh cost.
 */
export function renderCompactPrompt(pool: readonly CompactPoolEntry[], question: string): string {
  const models = pool.map((m) => `${m.name} ($${m.pricePer1M}/M)`).join('; ');
  return (
    'Route the question to helper models, then answer. ' +
    'Think in <think></think>. Call one model with <search>Model: sub-question</search>; its reply arrives in <information></information>. ' +
    'Give the final short answer in <answer></answer>.\n' +
    `Models: ${models}\n` +
    `Question: ${normalizeQuestion(question)}`
  );
}

/** The compact prompt for a pool as recorded in trajectories (prices: output USD per 1M tokens). */
export function renderCompactPromptForPool(pool: readonly { name: string; outputPer1M: number }[], question: string): string {
  return renderCompactPrompt(pool.map((m) => ({ name: m.name, pricePer1M: m.outputPer1M })), question);
}
