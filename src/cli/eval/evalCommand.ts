/**
 * `npm run -s cli -- eval …`: evaluates methods on a dataset and pool (src/core/eval), writing
 *   results.jsonl  every trajectory (replayable records)
 *   results.csv    one row per question × method
 *   summary.json   per-method EM, F1, cost, calls, format-valid rate, routing share; Pareto points;
 *                  per-dataset table with the paper's numbers; histograms; the cost estimate
 *   state.json     the resumable state (after a pause, Ctrl-C, a provider failure, or completion)
 * and printing the table. Ctrl-C pauses after the episode in flight (a second one cancels at once).
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { datasetTable, methodHistograms, paretoPoints, routingShareTable } from '../../core/eval/diagnostics';
import { estimateRun, type RunEstimate } from '../../core/eval/estimateRun';
import type { EvalEvent, EvalState, EvalSummary } from '../../core/eval/evalTypes';
import { toEvaluationSummary } from '../../core/eval/evalRows';
import { rowsToCsv, trajectoriesToJsonl } from '../../core/eval/exportResults';
import { PAPER_AVERAGE_EM, PAPER_CALLS_PER_QUESTION, PAPER_COST_STUDY_NQ, PAPER_SOURCE } from '../../core/eval/paperResults';
import { runEvaluation } from '../../core/eval/runEvaluation';
import type { EvalCommandIo, EvalCommandResult } from './evalIo';
import { buildEvalSetup, evalDepsOf, EvalUsageError, EVAL_USAGE } from './evalSetup';
import { formatSummaryTable } from './evalTable';
import { runPolicyEvalCommand } from './policyEval';

export async function runEvalCommand(flags: ReadonlyMap<string, string>, io: EvalCommandIo): Promise<EvalCommandResult> {
  if (flags.has('policy')) return runPolicyEvalCommand(flags, io);
  let setup;
  try {
    setup = await buildEvalSetup(flags, { root: io.root, env: io.env, now: io.now, ...(io.fetch === undefined ? {} : { fetch: io.fetch }) });
  } catch (err) {
    if (err instanceof EvalUsageError) {
      io.stderr.write(`${err.message}\n\nUsage: npm run -s cli -- ${EVAL_USAGE}\n`);
      return { code: 2 };
    }
    throw err;
  }
  const { spec } = setup;
  for (const n of setup.notes) io.stderr.write(`note: ${n}\n`);
  const estimate = estimateRun(spec, { sizesB: setup.sizesB });
  if (setup.live) {
    const e = estimate.total.live;
    io.stderr.write(`estimate: ${e.calls.expected.toFixed(0)} calls (at most ${e.calls.max}), about $${e.usd.expected.toFixed(4)} (at most $${e.usd.max.toFixed(4)})\n`);
    if (flags.get('yes') !== 'true') {
      io.stderr.write('A live run costs money: re-run with --yes to confirm.\n');
      return { code: 3, estimate };
    }
  }
  const out = flags.get('out') ?? join('eval-results', spec.id);
  await mkdir(out, { recursive: true });
  const statePath = join(out, 'state.json');
  const resume = flags.get('resume') === 'true' ? (JSON.parse(await readFile(statePath, 'utf8')) as EvalState) : undefined;
  if (resume === undefined) await writeFile(join(out, 'results.jsonl'), '');
  const { deps, host } = evalDepsOf(setup, io, 1);
  let finished: (EvalEvent & { type: 'eval.finished' }) | undefined;
  let pending: string[] = [];
  let lastReport = 0;
  const failures = new Map<string, { count: number; first: string }>();
  try {
    for await (const e of runEvaluation(spec, deps, resume)) {
      if (e.type === 'eval.episode') {
        pending.push(trajectoriesToJsonl([e.trajectory]));
        if (e.trajectory.status === 'failed') {
          const f = failures.get(e.method) ?? { count: 0, first: e.trajectory.error ?? 'unknown error' };
          failures.set(e.method, { ...f, count: f.count + 1 });
        }
      }
      if (e.type === 'eval.progress' && (pending.length >= 200 || e.done === e.total)) {
        await appendFile(join(out, 'results.jsonl'), pending.join(''));
        pending = [];
      }
      if (e.type === 'eval.progress' && (e.done - lastReport >= 500 || e.done === e.total)) {
        lastReport = e.done;
        io.stderr.write(`  ${e.done}/${e.total} episodes${e.etaMs === null ? '' : `, about ${Math.ceil(e.etaMs / 1000)} s left`}\n`);
      }
      if (e.type === 'eval.finished') finished = e;
    }
  } finally {
    if (pending.length > 0) await appendFile(join(out, 'results.jsonl'), pending.join(''));
    await host?.dispose();
  }
  if (finished === undefined) throw new Error('The evaluation ended without eval.finished; this is a bug.');
  const { summary, state } = finished;
  await writeFile(statePath, JSON.stringify(state));
  await writeFile(join(out, 'results.csv'), rowsToCsv(state.rows));
  await writeFile(join(out, 'summary.json'), JSON.stringify(summaryFile(summary, state, estimate), null, 2) + '\n');
  for (const [m, f] of failures) io.stderr.write(`warning: ${m}: ${f.count} episode(s) failed (scored as wrong); first: ${f.first}\n`);
  io.stdout.write(formatSummaryTable(summary));
  io.stdout.write(`wrote ${join(out, 'results.jsonl')}, results.csv, summary.json, state.json\n`);
  if (finished.status !== 'completed') {
    io.stderr.write(`The run ${finished.status === 'paused' ? 'paused' : 'was cancelled'}${finished.reason === undefined ? '' : `: ${finished.reason.replace(/\.$/, '')}`}. Resume with the same flags and --resume.\n`);
    return { code: 4, summary, estimate };
  }
  return { code: 0, summary, estimate };
}

function summaryFile(summary: EvalSummary, state: EvalState, estimate: RunEstimate): unknown {
  const methods = summary.methods.map((m) => m.method);
  return {
    summary,
    methods: Object.fromEntries(summary.methods.map((m) => [m.method, m])),
    pareto: paretoPoints([summary]),
    routing: routingShareTable([summary]),
    datasets: datasetTable(state.rows, methods),
    histograms: Object.fromEntries(methods.map((m) => [m, methodHistograms(state.rows, m)])),
    share: toEvaluationSummary(summary),
    estimate,
    paper: { source: PAPER_SOURCE, averageEm: PAPER_AVERAGE_EM, costStudyNq: PAPER_COST_STUDY_NQ, callsPerQuestion: PAPER_CALLS_PER_QUESTION },
  };
}

export { EVAL_USAGE };

/** `--yes` and `--resume` take no value on the command line; parseFlags wants one. */
export function withBooleanEvalFlags(argv: readonly string[]): string[] {
  return argv.map((a) => (a === '--yes' || a === '--resume' ? `${a}=true` : a));
}
