/**
 * `npm run -s bench -- policy --out <file.json> [--configs q4-gqa,q4-matmul,q8-matmul] [--standard] [--all-logits] [--accuracy-level L] [--threads N] [--skip-browser]`
 * (DESIGN.md §11): policy decode and prefill tokens/s of a Qwen2.5-0.5B-shaped q4 model (benchModel.ts)
 * measured side by side in one run — headless Chromium on onnxruntime-web wasm (the runtime harness
 * page, e2e/harness, in a worker, N threads) and onnxruntime-node CPU (N threads) on the same file —
 * and the time to prefill a 100-token observation after 200 vs 2,000 tokens of context. A script, not a
 * test: nothing here asserts a timing. Needs `npm run build` first (it serves dist/). The procedure and the
 * configurations measured are in policyBench.ts.
 * `npm run -s bench -- train …`: training throughput and RL step time (trainBench.ts).
 */

async function main(): Promise<void> {
  // `bench train`: training throughput and RL step time (trainBench.ts).
  if (process.argv[2] === 'train') return (await import('./trainBench')).runTrainBench(process.argv.slice(3));
  // `bench policy`: several graph configurations side by side (policyBench.ts)
  return (await import('./policyBench')).runPolicyBench(process.argv.slice(2));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exitCode = 1;
});
