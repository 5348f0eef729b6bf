/**
 * What the `eval` commands (evalCommand.ts, and policyEval.ts for `--policy`) are given and return:
 * the host's streams, data root, environment, clock, fetch and Ctrl-C signals, and the exit code with
 * the run's summary and estimate. Types only, so both commands share them without importing each other.
 */
import type { DataRoot } from '../../core/data/dataRoot';
import type { RunEstimate } from '../../core/eval/estimateRun';
import type { EvalSummary } from '../../core/eval/evalTypes';
import type { FetchLike } from '../../core/providers/fetchPort';

export interface EvalCommandIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  root: DataRoot;
  env: Readonly<Record<string, string | undefined>>;
  now: () => number;
  fetch?: FetchLike;
  /** Pause / cancel from outside (the CLI wires Ctrl-C to these). */
  pauseSignal?: AbortSignal;
  signal?: AbortSignal;
}

export interface EvalCommandResult {
  code: number;
  summary?: EvalSummary;
  estimate?: RunEstimate;
}
