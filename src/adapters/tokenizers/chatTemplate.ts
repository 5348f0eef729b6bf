/**
 * Chat templates from tokenizer_config.json, rendered with @huggingface/jinja the way transformers'
 * apply_chat_template does: `messages`, `add_generation_prompt`, and the special tokens as strings
 * (bos_token, eos_token, pad_token, unk_token). A config may hold one template or a named list
 * (the "default" one is used unless a name is given).
 *
 * The Router-R1 prompt is ONE user message; a Qwen2.5 template then adds its default system turn.
 * `createChatFraming` renders that once and hands core the ids around the user message.
 */
import { Template } from '@huggingface/jinja';
import { ChatTemplateError, frameChatTemplate, type ChatFraming } from '../../core/policy/tokenizedChat';
import type { Tokenizer } from '../../core/policy/ports';
import { tokenText, type TokenizerConfigJson } from './hfTokenizer';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface RenderChatOptions {
  add_generation_prompt?: boolean;
  /** Pick a named template from a list in the config. */
  templateName?: string;
  /** A template that overrides the config's (e.g. a separate chat_template.jinja file). */
  template?: string;
  /** More variables for the template (tools, date_string, …). */
  extra?: Record<string, unknown>;
}

/** The template source the config (or the override) provides. */
export function chatTemplateSource(config: TokenizerConfigJson, opts: Pick<RenderChatOptions, 'template' | 'templateName'> = {}): string {
  if (opts.template !== undefined) return opts.template;
  const t = config.chat_template;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) {
    const name = opts.templateName ?? 'default';
    const found = t.find((x) => x.name === name);
    if (found !== undefined) return found.template;
    throw new ChatTemplateError(`tokenizer_config.json has no chat template named "${name}" (it has: ${t.map((x) => x.name).join(', ')}).`);
  }
  throw new ChatTemplateError('tokenizer_config.json has no "chat_template"; pass a template, or use the model without chat framing.');
}

export function renderChatTemplate(config: TokenizerConfigJson, messages: readonly ChatMessage[], opts: RenderChatOptions = {}): string {
  const source = chatTemplateSource(config, opts);
  let template: Template;
  try {
    template = new Template(source);
  } catch (err) {
    throw new ChatTemplateError(`The chat template does not parse (${err instanceof Error ? err.message : String(err)}).`);
  }
  const tokens: Record<string, string> = {};
  for (const key of ['bos_token', 'eos_token', 'pad_token', 'unk_token'] as const) {
    const text = tokenText(config[key]);
    if (text !== undefined) tokens[key] = text;
  }
  return template.render({
    ...tokens,
    ...opts.extra,
    messages: messages.map((m) => ({ ...m })),
    add_generation_prompt: opts.add_generation_prompt ?? false,
  });
}

/** Core's ChatFraming for a single-user-message prompt with the generation prompt added. */
export function createChatFraming(config: TokenizerConfigJson, tokenizer: Tokenizer, opts: Omit<RenderChatOptions, 'add_generation_prompt'> = {}): ChatFraming & { prefixText: string; suffixText: string } {
  return frameChatTemplate((content) => renderChatTemplate(config, [{ role: 'user', content }], { ...opts, add_generation_prompt: true }), tokenizer);
}
