/**
 * The `eval` command on a QA set with a LIVE provider, against the real local OpenAI-compatible test
 * server (127.0.0.1, node:http): `--provider vllm --base-url <server>` with a
 * canary key in VLLM_API_KEY, the LLMRouter pool, `single:<model>` and `cascade` on 6 Bamboogle questions.
 *   - the cost estimate is printed and nothing is sent without --yes; with --yes the run completes;
 *   - a tiny --spending-cap pauses the run before the cap is crossed, and a resume with a higher cap finishes;
 *   - the server failing mid-run (POST /__control {mode: 'error-500'}) pauses the run with the failure,
 *     state.json is written; after POST /__reset, --resume finishes, every question × method exactly
 *     once, and the results equal an uninterrupted run on a fresh server;
 *   - the canary key reaches the server's auth header and nothing else (stdout, stderr, every file).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseFlags } from '../flags';
import { createFsDataRoot } from '../../adapters/node/fsDataRoot';
import { nodeFetch } from '../../adapters/node/modelFs';
import type { EvalState } from '../../core/eval/evalTypes';
import { parseRowsCsv, parseTrajectoriesJsonl } from '../../core/eval/exportResults';
import type { FetchLike } from '../../core/providers/fetchPort';
import { startLlmServer, type LlmServer } from '../testServer/llmServer';
import { runEvalCommand, withBooleanEvalFlags } from './evalCommand';
import type { EvalCommandResult } from './evalIo';

const root = createFsDataRoot(resolve(__dirname, '../../../../shared/data'));
const KEY = 'sk-canary-5d1e88b04c7a9f';
const env = { VLLM_API_KEY: KEY };
const QUESTIONS = 6;
const SINGLE = 'llama3-chatqa-1.5-70b'; // not the cheapest: the cascade starts elsewhere, so no call is a cache hit
const METHODS = [`single:${SINGLE}`, 'cascade'];
const EPISODES = QUESTIONS * METHODS.length;

const tmp = mkdtempSync(join(tmpdir(), 'eval-live-'));
let server: LlmServer;
/** Everything the command printed, over all runs of the file (the canary check reads it). */
const printed: string[] = [];

beforeAll(async () => {
  server = await startLlmServer({ port: 0 });
});
afterAll(async () => {
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => server.reset());

const chatRequests = (s: LlmServer): number => s.requests.filter((r) => r.path === '/v1/chat/completions').length;

async function control(s: LlmServer, path: '/__control' | '/__reset', body: unknown = {}): Promise<void> {
  const res = await fetch(`${s.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.ok).toBe(true);
}

interface Run extends EvalCommandResult {
  stdout: string;
  stderr: string;
}

async function evalCli(args: readonly string[], opts: { baseUrl?: string; fetch?: FetchLike } = {}): Promise<Run> {
  const argv = ['eval', '--dataset', 'bamboogle', '--limit', String(QUESTIONS), '--provider', 'vllm', '--base-url', opts.baseUrl ?? server.baseUrl, '--pool', 'llmrouter', '--method', METHODS.join(','), ...args];
  const stdout: string[] = [];
  const stderr: string[] = [];
  const r = await runEvalCommand(parseFlags(withBooleanEvalFlags(argv)).flags, {
    stdout: { write: (s: string) => stdout.push(s) },
    stderr: { write: (s: string) => stderr.push(s) },
    root,
    env,
    now: () => 0,
    fetch: opts.fetch ?? nodeFetch,
  });
  printed.push(...stdout, ...stderr);
  return { ...r, stdout: stdout.join(''), stderr: stderr.join('') };
}

const readState = async (out: string): Promise<EvalState> => JSON.parse(await readFile(join(out, 'state.json'), 'utf8')) as EvalState;
const rowKeys = (rows: readonly { method: string; questionIndex: number }[]): string[] => rows.map((r) => `${r.method}#${r.questionIndex}`);
const allKeys = (): string[] => Array.from({ length: QUESTIONS }, (_, q) => METHODS.map((m) => `${m}#${q}`)).flat();

/** The uninterrupted run on a fresh server, the reference for the resumed one. */
let reference: { out: string; run: Run } | undefined;

describe('eval on a QA set with a live provider (local OpenAI-compatible test server)', () => {
  it('prints the cost estimate and sends nothing without --yes; with --yes it runs every episode', async () => {
    const out = join(tmp, 'estimate');
    const dry = await evalCli(['--out', out]);
    expect(dry.code).toBe(3);
    const live = dry.estimate?.total.live;
    // single: 1 call a question; cascade: 1 + 1/2 + 1/4 + 1/8 expected, up to maxTurns (4).
    expect(live?.calls).toEqual({ expected: QUESTIONS * (1 + 1.875), max: QUESTIONS * (1 + 4) });
    expect(live?.usd.expected).toBeGreaterThan(0);
    expect(dry.stderr).toContain(`estimate: ${(live?.calls.expected ?? 0).toFixed(0)} calls (at most ${live?.calls.max}), about $${(live?.usd.expected ?? 0).toFixed(4)} (at most $${(live?.usd.max ?? 0).toFixed(4)})`);
    expect(dry.stderr).toMatch(/estimate: 17 calls \(at most 30\), about \$0\.\d{4} \(at most \$0\.\d{4}\)/);
    expect(dry.stderr).toMatch(/re-run with --yes to confirm/);
    expect(dry.estimate?.needsConfirmation).toBe(true);
    expect(server.requests).toHaveLength(0);
    expect(() => readdirSync(out)).toThrow(); // nothing written either

    const run = await evalCli(['--out', out, '--yes']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^bamboogle: 6 questions/);
    expect(run.summary?.methods.map((m) => [m.method, m.questions, m.calls])).toEqual([
      [`single:${SINGLE}`, QUESTIONS, 1],
      ['cascade', QUESTIONS, 1],
    ]);
    // One request per episode, each with the model's provider id and the key in the auth header only.
    expect(chatRequests(server)).toBe(EPISODES);
    const models = server.requests.map((r) => (r.body as { model?: string }).model);
    expect(models.filter((m) => m === 'nvidia/llama3-chatqa-1.5-70b')).toHaveLength(QUESTIONS);
    expect(models.filter((m) => m === 'google/gemma-2-9b-it')).toHaveLength(QUESTIONS); // the cheapest, where the cascade starts
    for (const r of server.requests) expect(r.headers['authorization']).toBe(`Bearer ${KEY}`);
    // Real dollars from the server's usage fields, within the estimate's worst case.
    const spent = (run.summary?.methods ?? []).reduce((s, m) => s + m.costUsd * m.questions, 0);
    expect(spent).toBeGreaterThan(0);
    expect(spent).toBeLessThanOrEqual(dry.estimate?.total.live.usd.max ?? 0);
    expect(parseTrajectoriesJsonl(await readFile(join(out, 'results.jsonl'), 'utf8'))).toHaveLength(EPISODES);
    expect((await readState(out)).rows).toHaveLength(EPISODES);
  });

  it('pauses at the session spending cap before crossing it, and resumes under a higher cap', async () => {
    const out = join(tmp, 'cap');
    const cap = 0.0015;
    const run = await evalCli(['--out', out, '--yes', '--spending-cap', String(cap)]);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/The run paused: The session spending cap stopped the run: the session spending cap of \$0\.0015 would be exceeded/);
    const sent = chatRequests(server);
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(EPISODES);
    const state = await readState(out);
    // Every request sent is a recorded episode (the refused one is not recorded: resuming re-runs it), and
    // the dollars spent stay within the cap.
    expect(state.rows).toHaveLength(sent);
    expect(state.rows.every((r) => r.status !== 'failed' && r.calls === 1)).toBe(true);
    expect(state.rows.reduce((s, r) => s + r.costUsd, 0)).toBeLessThanOrEqual(cap);
    expect(parseRowsCsv(await readFile(join(out, 'results.csv'), 'utf8'))).toHaveLength(sent);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as { summary: { methods: { questions: number }[] } };
    expect(summary.summary.methods.reduce((s, m) => s + m.questions, 0)).toBe(sent);

    const resumed = await evalCli(['--out', out, '--yes', '--resume', '--spending-cap', '1']);
    expect(resumed.code).toBe(0);
    expect(chatRequests(server)).toBe(EPISODES);
    expect(rowKeys((await readState(out)).rows).sort()).toEqual(allKeys().sort());
  });

  it('pauses when the provider fails mid-run, resumes after it recovers, and matches an uninterrupted run', async () => {
    // α > 0: the rewards depend on each method's cost window, which the resumed run must continue exactly.
    const ALPHA = ['--alpha', '0.5'];
    // The reference: an uninterrupted run (same seed) on a fresh server.
    const fresh = await startLlmServer({ port: 0 });
    try {
      const refOut = join(tmp, 'reference');
      const run = await evalCli(['--out', refOut, '--yes', ...ALPHA], { baseUrl: fresh.baseUrl });
      expect(run.code).toBe(0);
      expect(chatRequests(fresh)).toBe(EPISODES);
      reference = { out: refOut, run };
    } finally {
      await fresh.close();
    }

    // The server breaks after 5 successful requests: the 6th and later get HTTP 500 (retried, then the run pauses).
    const out = join(tmp, 'failure');
    const breakAfter = 5;
    let forwarded = 0;
    const breakingFetch: FetchLike = async (url, init) => {
      if (forwarded++ === breakAfter) await control(server, '/__control', { mode: 'error-500' });
      return nodeFetch(url, init);
    };
    const broken = await evalCli(['--out', out, '--yes', ...ALPHA], { fetch: breakingFetch });
    expect(broken.code).toBe(4);
    expect(broken.stderr).toMatch(/The run paused: \S+ failed \(server\): vLLM \(local\) failed with a server error \(HTTP 500\); retry later\..*Resume with the same flags and --resume\./);
    const failed = server.requests.slice(breakAfter);
    expect(failed.length).toBeGreaterThan(1); // retried before giving up
    expect(failed.every((r) => r.path === '/v1/chat/completions')).toBe(true);
    const paused = await readState(out);
    expect(rowKeys(paused.rows)).toEqual(allKeys().slice(0, breakAfter)); // the failed episode is not recorded
    expect(Object.values(paused.costWindows).map((w) => w.length)).toEqual([3, 2]); // nor scored into its method's cost window
    expect(paused.rows.every((r) => r.status !== 'failed')).toBe(true);
    expect(parseTrajectoriesJsonl(await readFile(join(out, 'results.jsonl'), 'utf8'))).toHaveLength(breakAfter);

    // The provider recovers; resuming finishes the run.
    await control(server, '/__reset');
    const resumed = await evalCli(['--out', out, '--yes', '--resume', ...ALPHA]);
    expect(resumed.code).toBe(0);
    expect(chatRequests(server)).toBe(EPISODES - breakAfter);
    const final = await readState(out);
    expect(rowKeys(final.rows)).toEqual(allKeys());
    const trajectories = parseTrajectoriesJsonl(await readFile(join(out, 'results.jsonl'), 'utf8'));
    expect(trajectories.map((t) => t.id).sort()).toEqual([...new Set(trajectories.map((t) => t.id))].sort());
    expect(trajectories).toHaveLength(EPISODES);
    expect(trajectories.every((t) => t.status !== 'failed')).toBe(true);

    // Same numbers as the uninterrupted run: the summary, the rows, the trajectories.
    const ref = reference as { out: string; run: Run };
    expect(resumed.summary).toEqual(ref.run.summary);
    for (const m of resumed.summary?.methods ?? []) expect(m.questions).toBe(QUESTIONS);
    const summaryOf = async (dir: string): Promise<unknown> => (JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as { summary: unknown }).summary;
    expect(await summaryOf(out)).toEqual(await summaryOf(ref.out));
    expect(await readFile(join(out, 'results.csv'), 'utf8')).toBe(await readFile(join(ref.out, 'results.csv'), 'utf8'));
    expect(trajectories).toEqual(parseTrajectoriesJsonl(await readFile(join(ref.out, 'results.jsonl'), 'utf8')));
    expect(final.rows).toEqual((await readState(ref.out)).rows);
    expect(final.costWindows).toEqual((await readState(ref.out)).costWindows);
  });

  it('pauses on a provider that echoes the key in its error, without repeating it', async () => {
    const out = join(tmp, 'echo');
    let forwarded = 0;
    const echoingFetch: FetchLike = async (url, init) => {
      if (forwarded++ === 2) await control(server, '/__control', { mode: 'echo-key' });
      return nodeFetch(url, init);
    };
    const run = await evalCli(['--out', out, '--yes'], { fetch: echoingFetch });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/The run paused: \S+ failed \(auth\): the key for vLLM \(local\) was rejected \(HTTP 401\).*Incorrect API key provided: \[redacted\]/);
    expect((await readState(out)).rows).toHaveLength(2);
  });

  it('a provider that never answers pauses the run at --round-deadline-s, not after every attempt at --call-timeout-s', async () => {
    const out = join(tmp, 'hung');
    await control(server, '/__control', { mode: 'delay-600000' });
    const started = performance.now();
    const run = await evalCli(['--out', out, '--yes', '--call-timeout-s', '0.2', '--round-deadline-s', '0.6']);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/The run paused: \S+ failed \(timeout\): vLLM \(local\) gave no reply within the deadline of 0\.6 s per round .*--round-deadline-s\)\. Resume/);
    expect(run.stderr).not.toMatch(/\.\. Resume/);
    const bad = await evalCli(['--out', join(tmp, 'bad-flag'), '--yes', '--call-timeout-s', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--call-timeout-s must be seconds > 0, got "soon"');
  });

  it('never prints or writes the canary key (it went only into the auth header the server saw)', () => {
    expect(printed.length).toBeGreaterThan(0);
    expect(printed.join('')).not.toContain(KEY);
    expect(printed.join('')).not.toContain(KEY.slice(3)); // not even without its prefix
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else files.push(p);
      }
    };
    walk(tmp);
    expect(files.filter((f) => /results\.jsonl$|results\.csv$|summary\.json$|state\.json$/.test(f)).length).toBeGreaterThanOrEqual(5 * 4);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      expect(text, f).not.toContain(KEY);
      expect(text, f).not.toContain(KEY.slice(3));
    }
  });
});
