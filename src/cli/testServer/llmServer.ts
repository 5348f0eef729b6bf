/**
 * A local OpenAI-compatible (POST /v1/chat/completions) and Anthropic Messages (POST /v1/messages) server
 * on 127.0.0.1 for tests and e2e (DESIGN.md §10): real HTTP, JSON and SSE, usage fields, deterministic
 * replies, and failures on demand. The model id picks the behaviour (or POST /__control {mode} sets one
 * for every request):
 *   error-<status>                    always that status (401, 403, 404, 429 with Retry-After: 1, 500 …)
 *   error-429-retry-after-<s>         429 with Retry-After: <s> seconds
 *   error-429-retry-date-<s>          429 with Retry-After as an HTTP date <s> seconds ahead
 *   fail-<status>-then-ok-<n>         the first n requests for this model id fail, then success
 *   delay-<ms>                        answer after ms (the connection stays open; aborts are seen)
 *   truncated-stream                  half of the reply, then the connection ends without [DONE]/message_stop
 *   malformed-json                    200 with a body that is not JSON
 *   empty                             200 with empty content
 *   echo-key                          401 whose error body echoes the key (providers do this)
 *   anything else                     success
 * It records every request it saw (headers included) so tests can assert where keys went. CORS headers
 * are on by default; POST /__control {cors: false} turns them off to exercise the browser's CORS failure.
 * Test-only: it never forwards anything anywhere.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** The parsed JSON body (undefined when it was not JSON). */
  body: unknown;
  rawBody: string;
}

export interface LlmServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** The OpenAI-compatible / Anthropic base URL: `${url}/v1`. */
  baseUrl: string;
  /** Every API request seen (control calls excluded), oldest first. */
  requests: RecordedRequest[];
  setCors(on: boolean): void;
  /** A behaviour for every request, overriding the model id (undefined: back to model ids). */
  setMode(mode: string | undefined): void;
  /** Forget requests, counters and mode; CORS back on. */
  reset(): void;
  close(): Promise<void>;
}

export interface LlmServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  cors?: boolean;
}

type Api = 'openai' | 'anthropic';

/** The deterministic reply to a prompt: names the model and echoes the prompt's last line. */
export function testReply(model: string, prompt: string): string {
  const lines = prompt.split('\n').filter((l) => l.trim() !== '');
  const tail = (lines[lines.length - 1] ?? '').trim().slice(0, 80);
  return `Test reply from ${model}: you asked "${tail}". The answer is 42.`;
}

export const testUsage = (prompt: string, reply: string): { promptTokens: number; completionTokens: number } => ({
  promptTokens: Math.ceil(prompt.length / 4),
  completionTokens: reply.split(/\s+/).filter((w) => w !== '').length,
});

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function promptOf(body: unknown): { model: string; prompt: string; stream: boolean } {
  const b = (typeof body === 'object' && body !== null ? body : {}) as { model?: unknown; messages?: unknown; stream?: unknown };
  const messages = Array.isArray(b.messages) ? (b.messages as { content?: unknown }[]) : [];
  const last = messages[messages.length - 1]?.content;
  return { model: typeof b.model === 'string' ? b.model : '', prompt: typeof last === 'string' ? last : '', stream: b.stream === true };
}

function errorBody(api: Api, status: number, message: string): string {
  if (api === 'anthropic') {
    const type = status === 401 ? 'authentication_error' : status === 403 ? 'permission_error' : status === 404 ? 'not_found_error' : status === 429 ? 'rate_limit_error' : 'api_error';
    return JSON.stringify({ type: 'error', error: { type, message } });
  }
  return JSON.stringify({ error: { message, type: 'test_server_error', code: status } });
}

const STATUS_TEXT: Record<number, string> = { 401: 'invalid api key', 403: 'forbidden', 404: 'model not found', 429: 'rate limited', 500: 'internal error', 503: 'overloaded' };

function jsonReply(api: Api, model: string, reply: string, usage: { promptTokens: number; completionTokens: number }): string {
  if (api === 'anthropic') {
    return JSON.stringify({
      id: 'msg_test',
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text: reply }],
      stop_reason: 'end_turn',
      usage: { input_tokens: usage.promptTokens, output_tokens: usage.completionTokens },
    });
  }
  return JSON.stringify({
    id: 'chatcmpl-test',
    object: 'chat.completion',
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }],
    usage: { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens },
  });
}

/** SSE events of a reply; `truncate` drops the second half and the end marker. */
function sseEvents(api: Api, model: string, reply: string, usage: { promptTokens: number; completionTokens: number }, truncate: boolean): string[] {
  const pieces = reply.match(/\S+\s*/g) ?? [];
  const kept = truncate ? pieces.slice(0, Math.ceil(pieces.length / 2)) : pieces;
  const data = (o: unknown): string => `data: ${JSON.stringify(o)}\n\n`;
  if (api === 'openai') {
    const out = kept.map((p) => data({ id: 'chatcmpl-test', object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: { content: p }, finish_reason: null }] }));
    if (truncate) return out;
    out.push(data({ id: 'chatcmpl-test', object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
    out.push(data({ id: 'chatcmpl-test', object: 'chat.completion.chunk', model, choices: [], usage: { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens } }));
    out.push('data: [DONE]\n\n');
    return out;
  }
  const ev = (type: string, o: object): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...o })}\n\n`;
  const out = [
    ev('message_start', { message: { id: 'msg_test', type: 'message', role: 'assistant', model, content: [], usage: { input_tokens: usage.promptTokens, output_tokens: 1 } } }),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ': keep-alive comment\n\n',
    ev('ping', {}),
    ...kept.map((p) => ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: p } })),
  ];
  if (truncate) return out;
  out.push(ev('content_block_stop', { index: 0 }));
  out.push(ev('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: usage.completionTokens } }));
  out.push(ev('message_stop', {}));
  return out;
}

export async function startLlmServer(opts: LlmServerOptions = {}): Promise<LlmServer> {
  const requests: RecordedRequest[] = [];
  const failures = new Map<string, number>();
  let cors = opts.cors ?? true;
  let mode: string | undefined;

  const corsHeaders = (req: IncomingMessage, always = false): Record<string, string> =>
    cors || always
      ? {
          'access-control-allow-origin': '*',
          'access-control-allow-methods': 'GET, POST, OPTIONS',
          'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
          'access-control-expose-headers': 'retry-after',
          'access-control-max-age': '60',
        }
      : {};

  async function handleApi(api: Api, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const { model, prompt, stream } = promptOf(body);
    const behaviour = mode ?? model;
    const send = (status: number, text: string, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...corsHeaders(req), ...headers });
      res.end(text);
    };
    const fail = (status: number, headers: Record<string, string> = {}): void => send(status, errorBody(api, status, `test server: ${STATUS_TEXT[status] ?? 'error'}`), headers);

    let m: RegExpMatchArray | null;
    if ((m = /^delay-(\d+)/.exec(behaviour)) !== null) {
      const ms = Number(m[1]);
      const closed = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), ms);
        res.on('close', () => {
          clearTimeout(t);
          resolve(true);
        });
      });
      if (closed) return;
    }
    if ((m = /^error-429-retry-(after|date)-(\d+)$/.exec(behaviour)) !== null) {
      const s = Number(m[2]);
      return fail(429, { 'retry-after': m[1] === 'after' ? String(s) : new Date(Date.now() + s * 1000).toUTCString() });
    }
    if ((m = /^error-(\d{3})$/.exec(behaviour)) !== null) {
      const status = Number(m[1]);
      return fail(status, status === 429 ? { 'retry-after': '1' } : {});
    }
    if ((m = /^fail-(\d{3})-then-ok-(\d+)$/.exec(behaviour)) !== null) {
      const seen = failures.get(behaviour) ?? 0;
      failures.set(behaviour, seen + 1);
      if (seen < Number(m[2])) return fail(Number(m[1]), Number(m[1]) === 429 ? { 'retry-after': '1' } : {});
    }
    if (behaviour === 'echo-key') {
      const key = req.headers['authorization'] ?? req.headers['x-api-key'] ?? '';
      return send(401, errorBody(api, 401, `Incorrect API key provided: ${String(key).replace(/^Bearer /, '')}. You can find your key in your dashboard.`));
    }
    if (behaviour === 'malformed-json') return send(200, '{"choices": [ this is not json');
    const reply = behaviour === 'empty' ? '' : testReply(model, prompt);
    const usage = testUsage(prompt, reply);
    if (!stream && behaviour === 'truncated-stream') return send(200, jsonReply(api, model, reply, usage).slice(0, 40));
    if (!stream) return send(200, jsonReply(api, model, reply, usage));
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...corsHeaders(req) });
    for (const event of sseEvents(api, model, reply, usage, behaviour === 'truncated-stream')) res.write(event);
    res.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const rawBody = await readBody(req);
    let body: unknown;
    try {
      body = rawBody === '' ? undefined : (JSON.parse(rawBody) as unknown);
    } catch {
      body = undefined;
    }
    if (path.startsWith('/__')) return control(path, req, res, body);
    requests.push({ method: req.method ?? '', path, headers: flatHeaders(req), body, rawBody });
    if (req.method === 'OPTIONS') {
      res.writeHead(204, corsHeaders(req));
      return void res.end();
    }
    if (req.method === 'GET' && path === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json', ...corsHeaders(req) });
      return void res.end(JSON.stringify({ object: 'list', data: [{ id: 'test-model', object: 'model' }] }));
    }
    if (req.method === 'POST' && path === '/v1/chat/completions') return handleApi('openai', req, res, body);
    if (req.method === 'POST' && path === '/v1/messages') return handleApi('anthropic', req, res, body);
    res.writeHead(404, { 'content-type': 'application/json', ...corsHeaders(req) });
    res.end(errorBody('openai', 404, `test server: no route ${req.method ?? ''} ${path}`));
  }

  function control(path: string, req: IncomingMessage, res: ServerResponse, body: unknown): void {
    const b = (typeof body === 'object' && body !== null ? body : {}) as { cors?: unknown; mode?: unknown };
    if (req.method === 'POST' && path === '/__control') {
      if (typeof b.cors === 'boolean') cors = b.cors;
      if (typeof b.mode === 'string' || b.mode === null) mode = b.mode ?? undefined;
    } else if (req.method === 'POST' && path === '/__reset') server.reset();
    const payload = path === '/__requests' ? requests : { cors, mode: mode ?? null, requests: requests.length };
    res.writeHead(req.method === 'OPTIONS' ? 204 : 200, { 'content-type': 'application/json', ...corsHeaders(req, true) });
    res.end(req.method === 'OPTIONS' ? undefined : JSON.stringify(payload));
  }

  const http = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`test server bug: ${err instanceof Error ? err.message : String(err)}`);
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  const server: LlmServer = {
    url,
    baseUrl: `${url}/v1`,
    requests,
    setCors: (on) => void (cors = on),
    setMode: (m) => void (mode = m),
    reset() {
      requests.length = 0;
      failures.clear();
      mode = undefined;
      cors = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
  return server;
}
