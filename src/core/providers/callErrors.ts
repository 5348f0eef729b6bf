/**
 * Provider failures as CandidateCallErrors with messages that say what to do (DESIGN.md §5). The HTTP
 * status decides the kind and whether a retry may help; Retry-After travels with the error.
 * Messages may quote the provider's error body, so the caller redacts them before they leave.
 */
import { CandidateCallError } from '../policy/ports';
import type { CallErrorKind } from '../env/trajectory';

/** A CandidateCallError that also says whether retrying may help, and how long the provider asked to wait. */
export class ProviderCallError extends CandidateCallError {
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  /** Text received before a stream broke off (kept for the record; also quoted in the message). */
  readonly partialReply: string | undefined;

  constructor(
    kind: CallErrorKind,
    message: string,
    opts: { status?: number; retryable?: boolean; retryAfterMs?: number; partialReply?: string; latencyMs?: number; cause?: unknown } = {},
  ) {
    super(kind, message, opts);
    this.status = opts.status;
    this.retryable = opts.retryable ?? false;
    this.retryAfterMs = opts.retryAfterMs;
    this.partialReply = opts.partialReply;
  }
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date (relative to `nowMs`, epoch ms); undefined when absent or invalid. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const dateMs = Date.parse(trimmed);
  return Number.isNaN(dateMs) ? undefined : Math.max(0, dateMs - nowMs);
}

/** The provider's own error message from an OpenAI- or Anthropic-style body, else the raw text, shortened. */
export function providerErrorText(bodyText: string): string {
  let text = bodyText;
  try {
    const parsed = JSON.parse(bodyText) as { error?: { message?: unknown } | string; message?: unknown };
    const err = parsed.error;
    if (typeof err === 'string') text = err;
    else if (typeof err?.message === 'string') text = err.message;
    else if (typeof parsed.message === 'string') text = parsed.message;
  } catch {
    // not JSON: quote the raw text
  }
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine;
}

export interface HttpErrorContext {
  providerLabel: string;
  modelId: string;
  status: number;
  bodyText: string;
  retryAfterMs: number | undefined;
}

/** Maps a non-2xx response to a typed error (401/403 key, 404 model id, 429 and 5xx retryable). */
export function httpCallError(ctx: HttpErrorContext): ProviderCallError {
  const { providerLabel: label, status } = ctx;
  const said = ctx.bodyText.trim() === '' ? '' : ` ${label} said: ${providerErrorText(ctx.bodyText)}`;
  const http = `(HTTP ${status})`;
  if (status === 401 || status === 403) {
    return new ProviderCallError('auth', `the key for ${label} was rejected ${http}; check it in the pool editor.${said}`, { status });
  }
  if (status === 404) {
    return new ProviderCallError('not-found', `${label} has no model "${ctx.modelId}" ${http}; check the provider model id in the pool editor.${said}`, { status });
  }
  if (status === 429) {
    const wait = ctx.retryAfterMs === undefined ? '' : ` (it asked to wait ${Math.ceil(ctx.retryAfterMs / 1000)} s)`;
    return new ProviderCallError('rate-limit', `${label} is rate-limiting calls ${http}${wait}; retry later or lower the request rate.${said}`, {
      status,
      retryable: true,
      retryAfterMs: ctx.retryAfterMs,
    });
  }
  if (status >= 500) {
    return new ProviderCallError('server', `${label} failed with a server error ${http}; retry later.${said}`, {
      status,
      retryable: true,
      retryAfterMs: ctx.retryAfterMs,
    });
  }
  return new ProviderCallError('malformed', `${label} rejected the request for "${ctx.modelId}" ${http}; check the model id and parameters.${said}`, { status });
}
