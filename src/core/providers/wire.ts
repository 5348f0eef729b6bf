/**
 * What differs between provider APIs: how a request is built and how a JSON or SSE reply is read.
 * Each kind (openaiCompatible.ts, anthropic.ts) implements this; the HTTP caller does the rest.
 */
import type { CallParams } from '../policy/ports';
import type { TokenUsage } from '../env/trajectory';
import type { ProviderConfig } from './providerConfig';
import type { SseEvent } from './sse';
import { ProviderCallError } from './callErrors';

export interface WireRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface BuildArgs {
  provider: ProviderConfig;
  modelId: string;
  prompt: string;
  params: CallParams;
  key: string | undefined;
  stream: boolean;
}

export interface ParsedReply {
  reply: string;
  /** Undefined when the provider reported none (the caller then estimates it). */
  usage: TokenUsage | undefined;
}

export interface ProviderWire {
  buildRequest(args: BuildArgs): WireRequest;
  parseJson(text: string, providerLabel: string): ParsedReply;
  parseStream(events: AsyncIterable<SseEvent>, onToken: (text: string) => void, providerLabel: string): Promise<ParsedReply>;
}

/** JSON.parse that fails as a 'malformed' call error naming the provider. */
export function parseJsonBody(text: string, providerLabel: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const head = text.length > 80 ? `${text.slice(0, 80)}…` : text;
    throw new ProviderCallError('malformed', `${providerLabel} sent ${what} that is not valid JSON: ${JSON.stringify(head)}.`);
  }
}

export function malformed(providerLabel: string, detail: string): ProviderCallError {
  return new ProviderCallError('malformed', `${providerLabel} sent an unexpected reply: ${detail}.`);
}

/** A stream that stopped before its end marker: the text so far is kept on the error and quoted. */
export function truncatedStream(providerLabel: string, marker: string, partial: string): ProviderCallError {
  const quoted = partial.length > 200 ? `${partial.slice(0, 200)}…` : partial;
  return new ProviderCallError('malformed', `the stream from ${providerLabel} ended before ${marker}; partial reply: ${JSON.stringify(quoted)}.`, {
    partialReply: partial,
  });
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function tokenCount(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
}
