/**
 * Messages between the training harness page (train.ts), its worker (train.worker.ts) and the
 * benchmark (src/cli/bench/trainBench.ts). Plain data; type-only.
 */
import type { KernelCase, KernelResult, TrainBenchModel, TrainThroughputOptions, TrainThroughputResult } from '../../src/cli/bench/trainThroughput';

export interface TrainBenchParams {
  models: TrainBenchModel[];
  /** Single-MatMul kernel cases (the kernel ceiling), timed after the models. */
  kernels: KernelCase[];
  options: Omit<TrainThroughputOptions, 'now' | 'log'>;
  numThreads: number;
}

export interface TrainBenchResult {
  results: TrainThroughputResult[];
  kernels: KernelResult[];
  device: { ep: string; threads: number; crossOriginIsolated: boolean };
  log: string[];
}

export interface TrainWorkerRequest {
  id: number;
  params: TrainBenchParams;
}

export type TrainWorkerResponse = { id: number; ok: true; result: TrainBenchResult } | { id: number; ok: false; name: string; message: string };

export interface TrainHarness {
  bench(params: TrainBenchParams): Promise<TrainBenchResult>;
}
