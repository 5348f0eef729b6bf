/**
 * The local OpenAI-compatible test server that e2e starts as a second webServer
 * (`npm run -s cli -- test-server`): its address, and its control endpoints, read from the test process.
 */
export const TEST_LLM_PORT = Number(process.env.E2E_LLM_PORT ?? 4180);
export const TEST_LLM_URL = `http://127.0.0.1:${TEST_LLM_PORT}`;
/** What a provider's base URL is set to in the pool editor. */
export const TEST_LLM_BASE_URL = `${TEST_LLM_URL}/v1`;

export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
}

export async function resetTestLlmServer(): Promise<void> {
  await fetch(`${TEST_LLM_URL}/__reset`, { method: 'POST' });
}

export async function testLlmRequests(): Promise<SeenRequest[]> {
  const res = await fetch(`${TEST_LLM_URL}/__requests`);
  return (await res.json()) as SeenRequest[];
}

/** Turns the server's CORS headers on or off (off: the browser blocks every call, as with NIM). */
export async function setTestLlmCors(on: boolean): Promise<void> {
  await fetch(`${TEST_LLM_URL}/__control`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cors: on }) });
}
