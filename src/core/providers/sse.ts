/**
 * A server-sent-events reader over a fetch body (the subset providers use: `event:` and `data:` lines,
 * events separated by a blank line, multi-line data joined by "\n"). Comments and ids are ignored.
 */
import type { BodyReaderLike } from './fetchPort';

export interface SseEvent {
  event: string | undefined;
  data: string;
}

export async function* readSseEvents(reader: BodyReaderLike): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
      let sep = buffer.indexOf('\n\n');
      while (sep >= 0) {
        const event = parseEvent(buffer.slice(0, sep));
        buffer = buffer.slice(sep + 2);
        if (event !== null) yield event;
        sep = buffer.indexOf('\n\n');
      }
    }
    const last = parseEvent((buffer + decoder.decode()).trim());
    if (last !== null) yield last;
  } finally {
    reader.releaseLock?.();
  }
}

function parseEvent(block: string): SseEvent | null {
  let event: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length === 0 && event === undefined ? null : { event, data: data.join('\n') };
}
