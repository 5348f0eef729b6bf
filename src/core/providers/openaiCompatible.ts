/**
 * OpenAI-compatible chat completions (OpenAI, OpenRouter, Together, Groq, Fireworks, DeepInfra, Mistral,
 * Ollama, LM Studio, vLLM): one user message, the reference sampling parameters, JSON or SSE replies.
 */
import type { TokenUsage } from '../env/trajectory';
import type { SseEvent } from './sse';
import { ProviderCallError } from './callErrors';
import { isRecord, malformed, parseJsonBody, tokenCount, truncatedStream, type ParsedReply, type ProviderWire } from './wire';

function usageOf(v: unknown): TokenUsage | undefined {
  if (!isRecord(v)) return undefined;
  const promptTokens = tokenCount(v['prompt_tokens']);
  const completionTokens = tokenCount(v['completion_tokens']);
  return promptTokens === undefined || completionTokens === undefined ? undefined : { promptTokens, completionTokens };
}

function firstChoice(v: unknown): Record<string, unknown> | undefined {
  if (!isRecord(v) || !Array.isArray(v['choices'])) return undefined;
  const c: unknown = v['choices'][0];
  return isRecord(c) ? c : undefined;
}

export const openaiCompatibleWire: ProviderWire = {
  buildRequest({ provider, modelId, prompt, params, key, stream }) {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...provider.headers };
    if (key !== undefined) headers['authorization'] = `Bearer ${key}`;
    const body: Record<string, unknown> = {
      model: modelId,
      messages: [{ role: 'user', content: prompt }],
      temperature: params.temperature,
      top_p: params.topP,
      seed: params.seed,
      max_tokens: params.maxTokens,
    };
    if (stream) {
      body['stream'] = true;
      body['stream_options'] = { include_usage: true };
    }
    return { url: `${provider.baseUrl.replace(/\/+$/, '')}/chat/completions`, headers, body: JSON.stringify(body) };
  },

  parseJson(text, label): ParsedReply {
    const json = parseJsonBody(text, label, 'a reply');
    const message = firstChoice(json)?.['message'];
    if (!isRecord(message)) throw malformed(label, 'no choices[0].message');
    const content = message['content'];
    if (content !== null && content !== undefined && typeof content !== 'string') throw malformed(label, 'choices[0].message.content is not text');
    return { reply: content ?? '', usage: usageOf(isRecord(json) ? json['usage'] : undefined) };
  },

  async parseStream(events: AsyncIterable<SseEvent>, onToken, label): Promise<ParsedReply> {
    let reply = '';
    let usage: TokenUsage | undefined;
    for await (const ev of events) {
      if (ev.data === '[DONE]') return { reply, usage };
      const chunk = parseJsonBody(ev.data, label, 'a stream chunk');
      if (isRecord(chunk) && isRecord(chunk['error'])) {
        const msg = chunk['error']['message'];
        throw new ProviderCallError('server', `${label} reported an error mid-stream: ${typeof msg === 'string' ? msg : 'unknown'}.`, { partialReply: reply });
      }
      const delta = firstChoice(chunk)?.['delta'];
      const piece = isRecord(delta) ? delta['content'] : undefined;
      if (typeof piece === 'string' && piece !== '') {
        reply += piece;
        onToken(piece);
      }
      usage = usageOf(isRecord(chunk) ? chunk['usage'] : undefined) ?? usage;
    }
    throw truncatedStream(label, 'data: [DONE]', reply);
  },
};
