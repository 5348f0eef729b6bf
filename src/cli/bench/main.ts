/**
 * `npm run -s bench -- policy --out <file.json> [--standard] [--all-logits] [--accuracy-level L] [--threads N] [--skip-browser]`
 * (DESIGN.md §11): policy decode and prefill tokens/s of a Qwen2.5-0.5B-shaped q4 model (benchModel.ts)
 * measured side by side in one run — headless Chromium on onnxruntime-web wasm (the runtime harness
 * page, e2e/harness, in a worker, N threads) and onnxruntime-node CPU (N threads) on the same file —
 * and the time to prefill a 100-token observation after 200 vs 2,000 tokens of context. A script, not a
 * test: nothing here asserts a timing. Needs `npm run build` first (it serves dist/).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { createNodeLanguageModel } from '../../adapters/node/nodeLanguageModel';
import { ensureBenchModel, type BenchModel } from './benchModel';
import { measureThroughput, type ThroughputOptions, type ThroughputResult } from './measureThroughput';
import { startStaticServer } from './staticServer';

const root = resolve(import.meta.dirname, '../../..');
const now = (): number => performance.now();
const log = (line: string): void => console.error(line); // progress on stderr; stdout stays the summary

interface Args {
  out: string | null;
  fused: boolean;
  logitsLastOnly: boolean;
  accuracyLevel: 0 | 1 | 2 | 3 | 4 | undefined;
  threads: number;
  browser: boolean;
}

function parseArgs(argv: string[]): Args {
  const [command, ...rest] = argv;
  if (command !== 'policy') throw new Error(`Usage: npm run -s bench -- policy --out <file.json> [--standard] [--all-logits] [--accuracy-level L] [--threads N] [--skip-browser]; got "${command ?? ''}".`);
  const args: Args = { out: null, fused: true, logitsLastOnly: true, accuracyLevel: undefined, threads: 2, browser: true };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--out') args.out = rest[++i] ?? null;
    else if (a === '--standard') args.fused = false;
    else if (a === '--all-logits') args.logitsLastOnly = false;
    else if (a === '--accuracy-level') {
      const level = Number(rest[++i]);
      if (![0, 1, 2, 3, 4].includes(level)) throw new Error(`--accuracy-level takes 0…4, got ${rest[i] ?? ''}.`);
      args.accuracyLevel = level as 0 | 1 | 2 | 3 | 4;
    }
    else if (a === '--threads') args.threads = Number(rest[++i]);
    else if (a === '--skip-browser') args.browser = false;
    else throw new Error(`Unknown option ${a}.`);
  }
  return args;
}

const OPTIONS: Omit<ThroughputOptions, 'now' | 'log'> = { prefillTokens: 128, decodeTokens: 32, observationTokens: 100, contexts: [200, 2000], repeats: 3, chunk: 200 };

async function benchNode(file: string, threads: number): Promise<ThroughputResult> {
  log(`onnxruntime-node CPU, ${threads} threads: loading…`);
  const model = await createNodeLanguageModel(readFileSync(file), { intraOpThreads: threads });
  try {
    return await measureThroughput(model, { ...OPTIONS, now, log: (l) => log(`  node  ${l}`) });
  } finally {
    await model.dispose();
  }
}

/** The harness's `bench` reply (e2e/harness/protocol.ts; not imported: it types the ORT adapter, which cli may not see). */
type BrowserResult = ThroughputResult & { device: unknown; loadMs: number; log: string[] };
interface HarnessWindow {
  __runtimeHarness?: { call(method: 'bench', params: unknown): Promise<BrowserResult> };
}

async function benchBrowser(file: string, threads: number): Promise<BrowserResult> {
  const dist = resolve(root, 'dist');
  if (!existsSync(resolve(dist, 'e2e/harness/runtime.html'))) throw new Error('dist/e2e/harness/runtime.html is missing: run `npm run build` first.');
  const server = await startStaticServer(dist, { '/__bench/model.onnx': file });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => log(`  page  ${m.type()}: ${m.text()}`));
    await page.goto(`${server.origin}/e2e/harness/runtime.html`);
    await page.waitForFunction(() => (globalThis as HarnessWindow).__runtimeHarness !== undefined);
    log(`headless Chromium, onnxruntime-web wasm, ${threads} threads: loading…`);
    const params = { model: { url: '/__bench/model.onnx' }, session: { preferred: 'wasm', numThreads: threads }, options: OPTIONS };
    const r = await page.evaluate((p) => (globalThis as HarnessWindow).__runtimeHarness!.call('bench', p), params);
    for (const l of r.log) log(`  wasm  ${l}`);
    return r;
  } finally {
    await browser.close();
    await server.close();
  }
}

/** The embedded default policy, when public/models holds one (null until it exists). */
function findEmbedded(): string | null {
  const candidates = ['public/models/tiny-router/onnx/model.onnx', 'public/models/tiny-router/onnx/model_q4.onnx'];
  return candidates.map((c) => resolve(root, c)).find((p) => existsSync(p)) ?? null;
}

const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const model: BenchModel = ensureBenchModel(resolve(root, 'node_modules/.cache/router-r1-bench'), { fused: args.fused, logitsLastOnly: args.logitsLastOnly, ...(args.accuracyLevel !== undefined ? { accuracyLevel: args.accuracyLevel } : {}), now, log });
  const node = await benchNode(model.path, args.threads);
  const browser = args.browser ? await benchBrowser(model.path, args.threads) : null;
  const embedded = findEmbedded();
  const result = {
    model: { name: model.name, file_mib: round(model.bytes / 2 ** 20, 1), build_s: model.buildMs === null ? null : round(model.buildMs / 1000, 1), threads: args.threads },
    browser_wasm: browser === null ? null : { decode_tok_s: round(browser.decode_tok_s), prefill_tok_s: round(browser.prefill_tok_s), load_s: round(browser.loadMs / 1000, 1), device: browser.device },
    node_cpu: { decode_tok_s: round(node.decode_tok_s), prefill_tok_s: round(node.prefill_tok_s) },
    observation_prefill_ms: {
      ctx200: { browser_wasm: browser === null ? null : round(browser.observation_prefill_ms['ctx200'] ?? NaN, 0), node_cpu: round(node.observation_prefill_ms['ctx200'] ?? NaN, 0) },
      ctx2000: { browser_wasm: browser === null ? null : round(browser.observation_prefill_ms['ctx2000'] ?? NaN, 0), node_cpu: round(node.observation_prefill_ms['ctx2000'] ?? NaN, 0) },
    },
    embedded: embedded === null ? null : { file: embedded, note: 'TODO(#4): measure once the embedded model lands (same procedure, same harness)' },
    ratios: {
      browser_over_node_decode: browser === null ? null : round(browser.decode_tok_s / node.decode_tok_s, 3),
      browser_over_node_prefill: browser === null ? null : round(browser.prefill_tok_s / node.prefill_tok_s, 3),
      ctx2000_over_ctx200_node: round((node.observation_prefill_ms['ctx2000'] ?? NaN) / (node.observation_prefill_ms['ctx200'] ?? NaN), 3),
      ctx2000_over_ctx200_browser: browser === null ? null : round((browser.observation_prefill_ms['ctx2000'] ?? NaN) / (browser.observation_prefill_ms['ctx200'] ?? NaN), 3),
    },
    options: OPTIONS,
  };
  if (args.out !== null) writeFileSync(args.out, JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result.ratios, null, 2));
  console.log(
    `browser/node decode ${result.ratios.browser_over_node_decode ?? 'n/a'} (target ≥ 0.5); ` +
      `observation prefill ctx2000/ctx200: node ${result.ratios.ctx2000_over_ctx200_node}, browser ${result.ratios.ctx2000_over_ctx200_browser ?? 'n/a'} (target ≤ 1.5)`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exitCode = 1;
});
