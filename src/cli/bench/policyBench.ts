/**
 * `npm run -s bench -- policy --out <file.json> [--configs q4-gqa,q4-matmul,q8-matmul] [--threads N] [--skip-browser] [--all-logits] [--accuracy-level L] [--embedded-only]`
 * (DESIGN.md §11): policy decode and prefill tokens/s of a Qwen2.5-0.5B-shaped model (benchModel.ts)
 * measured side by side in one run — headless Chromium on onnxruntime-web wasm (the runtime harness
 * page, e2e/harness, in a worker, N threads) and onnxruntime-node CPU (N threads) on the same file —
 * and the time to prefill a 100-token observation after 200 vs 2,000 tokens of context.
 *
 * Several graph configurations are measured one after the other (node then browser on each file):
 *   q4-gqa      q4 MatMulNBits, fused contrib ops, GroupQueryAttention
 *   q4-matmul   q4, fused ops, MatMul/Softmax attention (BuildDecoderOptions.attention = 'matmul')
 *   q8-matmul   int8 MatMulInteger weights (+ int8 tied embedding/head), fused ops, MatMul attention
 *   q4-standard q4, standard ops only (the converter's graph)            (also q8-gqa, q8-standard)
 * All go into `configurations`; the headline fields (`browser_wasm`, `node_cpu`, `observation_prefill_ms`,
 * `ratios`) are those of the best configuration that keeps logits parity (q4: 1e-3 vs the reference on
 * dequantised weights; q8 does not — 0.07–0.24, ortNode.test.ts), best = the lowest browser time to
 * prefill the observation after 2,000 tokens (the KV-reuse cost the policy pays every round), ties to
 * the faster browser decode. `embedded` has the same figures for the embedded policy's own file
 * (public/models/embedded.json's default; `--embedded-only` measures just that). A script, not a test: nothing asserts a timing. Needs `npm run build` first.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { createNodeLanguageModel } from '../../adapters/node/nodeLanguageModel';
import { ensureBenchModel, type BenchModel, type BenchModelOptions } from './benchModel';
import { measureThroughput, type ThroughputOptions, type ThroughputResult } from './measureThroughput';
import { withHarnessPage } from './harnessPage';

const root = resolve(import.meta.dirname, '../../..');
const now = (): number => performance.now();
const log = (line: string): void => console.error(line); // progress on stderr; stdout stays the summary

const CONFIGS = {
  'q4-gqa': { precision: 'q4', fused: true, attention: 'gqa' },
  'q4-matmul': { precision: 'q4', fused: true, attention: 'matmul' },
  'q4-standard': { precision: 'q4', fused: false },
  'q8-gqa': { precision: 'q8', fused: true, attention: 'gqa' },
  'q8-matmul': { precision: 'q8', fused: true, attention: 'matmul' },
  'q8-standard': { precision: 'q8', fused: false },
  'q4-matmul-expanded': { precision: 'q4', fused: true, attention: 'matmul' },
} as const satisfies Record<string, Omit<BenchModelOptions, 'logitsLastOnly'>>;
/**
 * The browser session's limit on expanding 4-bit layers to float32 at load (webSession maxExpandedQ4Bytes;
 * the app's default, 256 MiB, keeps the 0.5B model's 1.9 GiB of layers 4-bit). 'q4-matmul-expanded' is the
 * q4-matmul file with the limit raised to try the 0.5B model expanded: on onnxruntime-web 1.30 it runs out
 * of wasm memory while folding and the session falls back to 4-bit (its device.q4Layers says so).
 */
const WASM_EXPAND_LIMIT: Partial<Record<string, number>> = { 'q4-matmul-expanded': 3.5 * 2 ** 30 };
type ConfigName = keyof typeof CONFIGS;
const DEFAULT_CONFIGS: ConfigName[] = ['q4-gqa', 'q4-matmul', 'q8-matmul'];

/** Whether a precision's logits meet the parity tolerance of issue 4 (ortNode.test.ts measures them). */
const PARITY: Record<'q4' | 'q8', { keeps: boolean; note: string }> = {
  q4: { keeps: true, note: 'max |Δlogit| ≤ 1e-5 vs the reference on dequantised weights (tolerance 1e-3)' },
  q8: { keeps: false, note: 'max |Δlogit| 0.07–0.24 vs the reference on dequantised weights (dynamic per-tensor activation quantisation); tolerance 1e-3 not met' },
};

interface Args {
  out: string | null;
  configs: ConfigName[];
  logitsLastOnly: boolean;
  accuracyLevel: 0 | 1 | 2 | 3 | 4 | undefined;
  threads: number;
  browser: boolean;
}

const USAGE = 'Usage: npm run -s bench -- policy --out <file.json> [--configs q4-gqa,q4-matmul,q8-matmul] [--standard] [--all-logits] [--accuracy-level L] [--threads N] [--skip-browser] [--embedded-only]';

function parseArgs(argv: string[]): Args {
  const [command, ...rest] = argv;
  if (command !== 'policy') throw new Error(`${USAGE}; got "${command ?? ''}".`);
  const args: Args = { out: null, configs: DEFAULT_CONFIGS, logitsLastOnly: true, accuracyLevel: undefined, threads: 2, browser: true };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--out') args.out = rest[++i] ?? null;
    else if (a === '--configs') {
      const names = (rest[++i] ?? '').split(',').filter((n) => n !== '');
      const bad = names.filter((n) => !(n in CONFIGS));
      if (names.length === 0 || bad.length > 0) throw new Error(`--configs takes a comma-separated list of ${Object.keys(CONFIGS).join(', ')}; got ${rest[i] ?? ''}.`);
      args.configs = names as ConfigName[];
    } else if (a === '--standard') args.configs = ['q4-standard'];
    else if (a === '--all-logits') args.logitsLastOnly = false;
    else if (a === '--accuracy-level') {
      const level = Number(rest[++i]);
      if (![0, 1, 2, 3, 4].includes(level)) throw new Error(`--accuracy-level takes 0…4, got ${rest[i] ?? ''}.`);
      args.accuracyLevel = level as 0 | 1 | 2 | 3 | 4;
    } else if (a === '--threads') args.threads = Number(rest[++i]);
    else if (a === '--skip-browser') args.browser = false;
    else if (a === '--embedded-only') args.configs = [];
    else throw new Error(`Unknown option ${a}. ${USAGE}`);
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

async function benchBrowser(file: string, threads: number, maxExpandedQ4Bytes?: number): Promise<BrowserResult> {
  return withHarnessPage({ dist: resolve(root, 'dist'), harness: 'runtime', mounts: { '/__bench/model.onnx': file }, log }, async (page) => {
    log(`headless Chromium, onnxruntime-web wasm, ${threads} threads: loading…`);
    const params = { model: { url: '/__bench/model.onnx' }, session: { preferred: 'wasm', numThreads: threads, ...(maxExpandedQ4Bytes === undefined ? {} : { maxExpandedQ4Bytes }) }, options: OPTIONS };
    const r = await page.evaluate((p) => (globalThis as HarnessWindow).__runtimeHarness!.call('bench', p), params);
    for (const l of r.log) log(`  wasm  ${l}`);
    return r;
  });
}

/** The embedded default policy's ONNX file: public/models/embedded.json's `default` folder (null without one). */
function findEmbedded(): { name: string; file: string } | null {
  const index = resolve(root, 'public/models/embedded.json');
  if (!existsSync(index)) return null;
  const name = (JSON.parse(readFileSync(index, 'utf8')) as { default?: unknown }).default;
  if (typeof name !== 'string') return null;
  const file = ['onnx/model_q4.onnx', 'onnx/model.onnx'].map((f) => resolve(root, 'public/models', name, f)).find((p) => existsSync(p));
  return file === undefined ? null : { name, file };
}

const round = (x: number, digits = 2): number => Number(x.toFixed(digits));
const ratio = (a: number | undefined, b: number | undefined): number | null => (a === undefined || b === undefined || !Number.isFinite(a / b) ? null : round(a / b, 3));

/** One configuration's block of the JSON. */
function summarise(name: ConfigName, model: BenchModel, threads: number, node: ThroughputResult, browser: BrowserResult | null) {
  return {
    model: { name: model.name, config: name, file_mib: round(model.bytes / 2 ** 20, 1), build_s: model.buildMs === null ? null : round(model.buildMs / 1000, 1), threads },
    parity: PARITY[CONFIGS[name].precision],
    ...figures(node, browser),
  };
}
type Summary = ReturnType<typeof summarise>;

/** Speeds, observation prefill times and ratios of one file measured on both runtimes. */
function figures(node: ThroughputResult, browser: BrowserResult | null) {
  const obs = (r: ThroughputResult | null, c: string): number | null => (r === null ? null : round(r.observation_prefill_ms[c] ?? NaN, 0));
  return {
    browser_wasm: browser === null ? null : { decode_tok_s: round(browser.decode_tok_s), prefill_tok_s: round(browser.prefill_tok_s), load_s: round(browser.loadMs / 1000, 1), device: browser.device },
    node_cpu: { decode_tok_s: round(node.decode_tok_s), prefill_tok_s: round(node.prefill_tok_s) },
    observation_prefill_ms: {
      ctx200: { browser_wasm: obs(browser, 'ctx200'), node_cpu: obs(node, 'ctx200') },
      ctx2000: { browser_wasm: obs(browser, 'ctx2000'), node_cpu: obs(node, 'ctx2000') },
    },
    ratios: {
      browser_over_node_decode: browser === null ? null : ratio(browser.decode_tok_s, node.decode_tok_s),
      browser_over_node_prefill: browser === null ? null : ratio(browser.prefill_tok_s, node.prefill_tok_s),
      ctx2000_over_ctx200_node: ratio(node.observation_prefill_ms['ctx2000'], node.observation_prefill_ms['ctx200']),
      ctx2000_over_ctx200_browser: browser === null ? null : ratio(browser.observation_prefill_ms['ctx2000'], browser.observation_prefill_ms['ctx200']),
    },
  };
}

/** The best configuration that keeps parity (see the header); null when none was measured. */
function pickHeadline(results: [ConfigName, Summary][]): [ConfigName, Summary] | null {
  const keeping = results.filter(([, s]) => s.parity.keeps);
  const key = (s: Summary): [number, number] => [s.observation_prefill_ms.ctx2000.browser_wasm ?? s.observation_prefill_ms.ctx2000.node_cpu ?? Infinity, -(s.browser_wasm?.decode_tok_s ?? s.node_cpu.decode_tok_s)];
  return keeping.sort(([, a], [, b]) => key(a)[0] - key(b)[0] || key(a)[1] - key(b)[1])[0] ?? null;
}

export async function runPolicyBench(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const results: [ConfigName, Summary][] = [];
  for (const name of args.configs) {
    log(`== ${name} ==`);
    const c = CONFIGS[name];
    const options: BenchModelOptions = { ...c, logitsLastOnly: args.logitsLastOnly, ...(args.accuracyLevel !== undefined ? { accuracyLevel: args.accuracyLevel } : {}) };
    const model = ensureBenchModel(resolve(root, 'node_modules/.cache/router-r1-bench'), { ...options, now, log });
    const node = await benchNode(model.path, args.threads);
    const browser = args.browser ? await benchBrowser(model.path, args.threads, WASM_EXPAND_LIMIT[name]) : null;
    const s = summarise(name, model, args.threads, node, browser);
    results.push([name, s]);
    console.log(`${name}: ${JSON.stringify(s.ratios)}  decode browser ${s.browser_wasm?.decode_tok_s ?? 'n/a'} / node ${s.node_cpu.decode_tok_s} tok/s; observation ctx200/ctx2000 browser ${s.observation_prefill_ms.ctx200.browser_wasm ?? 'n/a'}/${s.observation_prefill_ms.ctx2000.browser_wasm ?? 'n/a'} ms, node ${s.observation_prefill_ms.ctx200.node_cpu}/${s.observation_prefill_ms.ctx2000.node_cpu} ms`);
  }
  const headline = pickHeadline(results);
  // The embedded policy: the same procedure, harness and thread count on its own file.
  const found = findEmbedded();
  let embedded: (ReturnType<typeof figures> & { model: { name: string; file: string; file_mib: number; threads: number } }) | null = null;
  if (found !== null) {
    log(`== embedded: ${found.name} ==`);
    const node = await benchNode(found.file, args.threads);
    const browser = args.browser ? await benchBrowser(found.file, args.threads) : null;
    embedded = { model: { name: found.name, file: relative(root, found.file), file_mib: round(statSync(found.file).size / 2 ** 20, 2), threads: args.threads }, ...figures(node, browser) };
    console.log(`embedded ${found.name}: ${JSON.stringify(embedded.ratios)}  decode browser ${embedded.browser_wasm?.decode_tok_s ?? 'n/a'} / node ${embedded.node_cpu.decode_tok_s} tok/s`);
  }
  const result = {
    model: headline?.[1].model ?? null,
    headline_config: headline?.[0] ?? null,
    headline_rule: 'the parity-keeping configuration with the lowest browser observation prefill at ctx 2000 (ties: faster browser decode)',
    browser_wasm: headline?.[1].browser_wasm ?? null,
    node_cpu: headline?.[1].node_cpu ?? null,
    observation_prefill_ms: headline?.[1].observation_prefill_ms ?? null,
    embedded,
    ratios: headline?.[1].ratios ?? null,
    configurations: Object.fromEntries(results),
    options: OPTIONS,
  };
  if (args.out !== null) writeFileSync(args.out, JSON.stringify(result, null, 2) + '\n');
  console.log(`headline ${result.headline_config ?? 'n/a'}: ${JSON.stringify(result.ratios, null, 2)}`);
  for (const [name, s] of results) {
    console.log(
      `${name.padEnd(12)} browser/node decode ${s.ratios.browser_over_node_decode ?? 'n/a'} (target ≥ 0.5); ` +
        `observation ctx2000/ctx200: node ${s.ratios.ctx2000_over_ctx200_node}, browser ${s.ratios.ctx2000_over_ctx200_browser ?? 'n/a'} (target ≤ 1.5); parity ${s.parity.keeps ? 'kept' : 'NOT kept'}`,
    );
  }
}
