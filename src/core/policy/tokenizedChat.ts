/**
 * The model input for a turn: the chat template around the prompt, then the response as raw text
 * inside the same assistant turn (DESIGN.md §2.1, §2.2).
 *
 *   input = prefixIds ++ promptPart ++ suffixIds ++ responsePart
 *
 * prefixIds / suffixIds come from rendering the model's chat template once with a sentinel as the
 * single user message (Qwen2.5: "<|im_start|>system\n…<|im_end|>\n<|im_start|>user\n" and
 * "<|im_end|>\n<|im_start|>assistant\n"), split at the sentinel and tokenised separately. The
 * environment's contextTokenIds are prompt + response ids (no template), left-truncated; the policy
 * finds where the (possibly truncated) prompt ends and inserts the template there. The header stays
 * even when the rolling window cut the start of the prompt, so the model always sees a well-formed
 * chat (the KV cache keeps the header across that cut).
 * Tokenising the three pieces separately equals tokenising the rendered string when the template's
 * boundaries are special tokens or newlines (ChatML, Llama 3), which is what chat templates use.
 * The core does not render templates (no jinja here): adapters/tokenizers passes `render`.
 */
import type { GenerateRequest, Tokenizer } from './ports';

export interface ChatFraming {
  /** Ids before the user message (system turn, user header). */
  readonly prefixIds: readonly number[];
  /** Ids between the user message and the response (end of user turn, assistant header). */
  readonly suffixIds: readonly number[];
}

/** A model without a chat template (the project's own compact policies): the prompt is fed as is. */
export const NO_CHAT_FRAMING: ChatFraming = { prefixIds: [], suffixIds: [] };

/** Stands in for the user message while rendering; no whitespace at its ends, so `| trim` keeps it. */
export const USER_MESSAGE_SENTINEL = '@@ROUTER_R1_USER_MESSAGE@@';

export class ChatTemplateError extends Error {
  override name = 'ChatTemplateError';
}

/** Render once with the sentinel and split; `render(userContent)` returns the whole chat string. */
export function frameChatTemplate(render: (userContent: string) => string, tokenizer: Tokenizer): ChatFraming & { prefixText: string; suffixText: string } {
  const rendered = render(USER_MESSAGE_SENTINEL);
  const at = rendered.indexOf(USER_MESSAGE_SENTINEL);
  if (at < 0 || rendered.indexOf(USER_MESSAGE_SENTINEL, at + 1) >= 0) {
    throw new ChatTemplateError('The chat template must place the user message exactly once in its output; check tokenizer_config.json "chat_template".');
  }
  const prefixText = rendered.slice(0, at);
  const suffixText = rendered.slice(at + USER_MESSAGE_SENTINEL.length);
  return { prefixText, suffixText, prefixIds: tokenizer.encode(prefixText), suffixIds: tokenizer.encode(suffixText) };
}

/**
 * Where the prompt ends in contextTokenIds (= prompt ids, minus k cut from the left, then response
 * ids): the length P − k of the longest prompt suffix the context starts with, or 0 when the prompt
 * was cut away entirely (or does not match).
 */
export function promptEndInContext(promptIds: readonly number[], contextIds: readonly number[]): number {
  const p = promptIds.length;
  for (let k = 0; k < p; k++) {
    const rest = p - k;
    if (rest > contextIds.length) continue;
    let same = true;
    for (let i = 0; i < rest && same; i++) same = contextIds[i] === promptIds[k + i];
    if (same) return rest;
  }
  return 0;
}

/** The ids the model is fed for `req` (see the module doc). */
export function buildModelInput(framing: ChatFraming, tokenizer: Tokenizer, req: Pick<GenerateRequest, 'promptText' | 'contextTokenIds'>): number[] {
  const ctx = req.contextTokenIds;
  if (framing.prefixIds.length === 0 && framing.suffixIds.length === 0) return [...ctx];
  const end = promptEndInContext(tokenizer.encode(req.promptText), ctx);
  return [...framing.prefixIds, ...ctx.slice(0, end), ...framing.suffixIds, ...ctx.slice(end)];
}
