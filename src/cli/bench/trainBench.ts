/**
 * `npm run -s bench -- train --out <file.json> [--threads N] [--skip-browser] [--data-root DIR]`
 * (DESIGN.md §11): training tokens/s (forward + backward of the training graph) of the
 * embedded-size model and of a 4-layer, hidden-512 model, measured side by side in one run —
 * onnxruntime-node CPU and onnxruntime-web wasm in headless Chromium (the training harness page,
 * e2e/harness/train.html, in a worker), N threads each — and the RL step time split
 * (rollout / reward / train / sync) of `cli train` on the example config (tiny-router, offline pool).
 * Writes { models: [{ name, params, browser_wasm: { train_tok_s }, node_cpu: { train_tok_s } }],
 * rl_step_ms: { rollout, reward, train, sync } } plus ratios, and `kernel_ceiling`: one float32 MatMul at the
 * training shapes on both runtimes (trainThroughput.ts KERNEL_CASES), the bound on the graphs' ratio. A script: nothing asserts a timing.
 * Needs `npm run build` first (it serves dist/).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { nodeTrainSessions } from '../../adapters/node/nodeTrainSession';
import { runTrainCommand } from '../train/trainCommand';
import { withHarnessPage } from './harnessPage';
import { KERNEL_CASES, measureKernel, measureTrainThroughput, TRAIN_BENCH_MODELS, type KernelResult, type TrainThroughputOptions, type TrainThroughputResult } from './trainThroughput';

const root = resolve(import.meta.dirname, '../../..');
const now = (): number => performance.now();
const log = (line: string): void => console.error(line); // progress on stderr; stdout stays the summary
const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

const OPTIONS: Omit<TrainThroughputOptions, 'now' | 'log'> = { batchSize: 4, seqLen: 128, repeats: 5 };

interface Args {
  out: string | null;
  threads: number;
  browser: boolean;
  dataRoot: string | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { out: null, threads: 2, browser: true, dataRoot: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') args.out = argv[++i] ?? null;
    else if (a === '--threads') args.threads = Number(argv[++i]);
    else if (a === '--skip-browser') args.browser = false;
    else if (a === '--data-root') args.dataRoot = argv[++i];
    else throw new Error(`Unknown option ${a}. Usage: npm run -s bench -- train --out <file.json> [--threads N] [--skip-browser] [--data-root DIR]`);
  }
  return args;
}

/** The harness's reply (e2e/harness/train.protocol.ts; not imported: it types the ORT adapter, which cli may not see). */
interface BrowserResult {
  results: TrainThroughputResult[];
  kernels: KernelResult[];
  device: { ep: string; threads: number; crossOriginIsolated: boolean };
  log: string[];
}
interface HarnessWindow {
  __trainHarness?: { bench(p: unknown): Promise<BrowserResult> };
}

async function benchBrowser(threads: number): Promise<BrowserResult> {
  return withHarnessPage({ dist: resolve(root, 'dist'), harness: 'train', log }, async (page) => {
    log(`headless Chromium, onnxruntime-web wasm, ${threads} threads…`);
    const r = await page.evaluate((p) => (globalThis as HarnessWindow).__trainHarness!.bench(p), { models: [...TRAIN_BENCH_MODELS], kernels: [...KERNEL_CASES], options: OPTIONS, numThreads: threads });
    for (const l of r.log) log(`  wasm  ${l}`);
    return r;
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
};

/** `cli train` on the example config for 4 steps; medians of steps 2–4 (step 1 warms the sessions up). */
async function rlStepTime(dataRoot: string | undefined): Promise<Record<'rollout' | 'reward' | 'train' | 'sync' | 'total', number>> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-train-'));
  let out = '';
  try {
    const flags = new Map([['config', resolve(root, 'src/cli/train/examples/tiny.json')], ['steps', '4'], ['checkpoint-dir', dir], ...(dataRoot === undefined ? [] : [['data-root', dataRoot] as [string, string]])]);
    const code = await runTrainCommand([], flags, { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true } });
    if (code !== 0) throw new Error(`cli train exited with ${code}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const steps = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type: string; timeMs?: Record<string, number> }).filter((e) => e.type === 'train.step').slice(1);
  const part = (k: string): number => round(median(steps.map((s) => s.timeMs?.[k] ?? NaN)), 1);
  return { rollout: part('rollout'), reward: part('reward'), train: part('train'), sync: part('sync'), total: part('total') };
}

export async function runTrainBench(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv);
  const node: TrainThroughputResult[] = [];
  for (const m of TRAIN_BENCH_MODELS) {
    log(`onnxruntime-node CPU, ${args.threads} threads: ${m.name}…`);
    node.push(await measureTrainThroughput(m, nodeTrainSessions({ intraOpThreads: args.threads }), { ...OPTIONS, now, log: (l) => log(`  node  ${l}`) }));
  }
  const nodeKernels: KernelResult[] = [];
  for (const c of KERNEL_CASES) nodeKernels.push(await measureKernel(c, nodeTrainSessions({ intraOpThreads: args.threads }), { ...OPTIONS, now, log: (l) => log(`  node  ${l}`) }));
  const browser = args.browser ? await benchBrowser(args.threads) : null;
  log('RL step time: cli train on src/cli/train/examples/tiny.json…');
  const rl = await rlStepTime(args.dataRoot);
  const models = TRAIN_BENCH_MODELS.map((m, i) => {
    const n = node[i] as TrainThroughputResult;
    const b = browser?.results[i];
    return {
      name: m.name,
      params: n.params,
      browser_wasm: b === undefined ? null : { train_tok_s: round(b.train_tok_s, 1) },
      node_cpu: { train_tok_s: round(n.train_tok_s, 1) },
      browser_over_node: b === undefined ? null : round(b.train_tok_s / n.train_tok_s, 3),
    };
  });
  // The kernel ceiling (trainThroughput.ts KERNEL_CASES): the same MatMul on both runtimes.
  const kernel_ceiling = KERNEL_CASES.map((c, i) => {
    const n = nodeKernels[i] as KernelResult;
    const b = browser?.kernels[i];
    return { name: c.name, node_cpu: { ms: round(n.run_ms, 2), gflop_s: round(n.gflop_s, 1) }, browser_wasm: b === undefined ? null : { ms: round(b.run_ms, 2), gflop_s: round(b.gflop_s, 1) }, browser_over_node: b === undefined ? null : round(n.run_ms / b.run_ms, 3) };
  });
  const result = { models, kernel_ceiling, rl_step_ms: rl, threads: args.threads, batch: { batchSize: OPTIONS.batchSize, seqLen: OPTIONS.seqLen, repeats: OPTIONS.repeats }, browser_device: browser?.device ?? null };
  if (args.out !== null) writeFileSync(args.out, JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
  for (const m of models) console.log(`${m.name}: browser/node training tokens/s ${m.browser_over_node ?? 'n/a'} (target ≥ 0.5)`);
  for (const k of kernel_ceiling) console.log(`kernel ${k.name}: browser/node ${k.browser_over_node ?? 'n/a'}`);
}
