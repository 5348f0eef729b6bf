/**
 * Anthropic Messages: one user message, temperature / top_p / max_tokens (no seed parameter exists),
 * the key in x-api-key, JSON or the typed event stream (message_start … message_stop).
 */
import type { TokenUsage } from '../env/trajectory';
import type { SseEvent } from './sse';
import { ProviderCallError } from './callErrors';
import { ANTHROPIC_VERSION } from './providerConfig';
import { isRecord, malformed, parseJsonBody, tokenCount, truncatedStream, type ParsedReply, type ProviderWire } from './wire';

function textOf(content: unknown): string | undefined {
  if (!Array.isArray(content)) return undefined;
  return content.map((b: unknown) => (isRecord(b) && b['type'] === 'text' && typeof b['text'] === 'string' ? b['text'] : '')).join('');
}

export const anthropicWire: ProviderWire = {
  buildRequest({ provider, modelId, prompt, params, key, stream }) {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'anthropic-version': ANTHROPIC_VERSION, ...provider.headers };
    if (key !== undefined) headers['x-api-key'] = key;
    const body: Record<string, unknown> = {
      model: modelId,
      max_tokens: params.maxTokens,
      messages: [{ role: 'user', content: prompt }],
      temperature: params.temperature,
      top_p: params.topP,
    };
    if (stream) body['stream'] = true;
    return { url: `${provider.baseUrl.replace(/\/+$/, '')}/messages`, headers, body: JSON.stringify(body) };
  },

  parseJson(text, label): ParsedReply {
    const json = parseJsonBody(text, label, 'a reply');
    if (!isRecord(json)) throw malformed(label, 'the reply is not an object');
    const reply = textOf(json['content']);
    if (reply === undefined) throw malformed(label, 'no content array');
    const u = json['usage'];
    const promptTokens = isRecord(u) ? tokenCount(u['input_tokens']) : undefined;
    const completionTokens = isRecord(u) ? tokenCount(u['output_tokens']) : undefined;
    return { reply, usage: promptTokens === undefined || completionTokens === undefined ? undefined : { promptTokens, completionTokens } };
  },

  async parseStream(events: AsyncIterable<SseEvent>, onToken, label): Promise<ParsedReply> {
    let reply = '';
    let promptTokens: number | undefined;
    let completionTokens: number | undefined;
    for await (const ev of events) {
      const data = parseJsonBody(ev.data, label, 'a stream event');
      if (!isRecord(data)) throw malformed(label, 'a stream event is not an object');
      const type = data['type'] ?? ev.event;
      if (type === 'message_start' && isRecord(data['message']) && isRecord(data['message']['usage'])) {
        promptTokens = tokenCount(data['message']['usage']['input_tokens']) ?? promptTokens;
        completionTokens = tokenCount(data['message']['usage']['output_tokens']) ?? completionTokens;
      } else if (type === 'content_block_delta' && isRecord(data['delta']) && data['delta']['type'] === 'text_delta') {
        const piece = data['delta']['text'];
        if (typeof piece === 'string' && piece !== '') {
          reply += piece;
          onToken(piece);
        }
      } else if (type === 'message_delta' && isRecord(data['usage'])) {
        completionTokens = tokenCount(data['usage']['output_tokens']) ?? completionTokens;
      } else if (type === 'error') {
        const err = data['error'];
        const msg = isRecord(err) && typeof err['message'] === 'string' ? err['message'] : 'unknown';
        throw new ProviderCallError('server', `${label} reported an error mid-stream: ${msg}.`, { partialReply: reply });
      } else if (type === 'message_stop') {
        const usage: TokenUsage | undefined =
          promptTokens === undefined || completionTokens === undefined ? undefined : { promptTokens, completionTokens };
        return { reply, usage };
      }
    }
    throw truncatedStream(label, 'message_stop', reply);
  },
};
