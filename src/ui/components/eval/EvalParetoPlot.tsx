/**
 * Mean cost (reference units, log axis) against EM: one labelled point per method and α, the Pareto front as a line, a
 * sweep's curve, and the paper's NQ cost-study points as a separate, labelled series. A point opens its
 * method's episodes of the run it comes from (a point of an earlier α opens that run's episodes); the
 * list below the chart does the same without a pointer and carries the test ids. The page keeps the
 * episodes of the last few runs only (KEPT_EVAL_RUNS): an older run's point says so and opens nothing.
 */
import { useMemo } from 'react';
import { CartesianGrid, LabelList, Legend, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { EvalSummary } from '../../../core';
import { useController } from '../../session/controllerContext';
import { KEPT_EVAL_RUNS } from '../../session/evalRuns';
import { useApp } from '../../store/useApp';
import { pct } from './evalFormat';
import { frontLine, labelOffsetPx, labelRows, logCostTicks, onLogAxis, ourPoints, PAPER_POINTS, plottedSummaries, sweepPoints, type PlotPoint } from './evalSeries';

/** A point's label at its row (labelRows), so labels of nearby points stay apart. */
function rowLabel(rows: readonly number[], fill: string, fontSize: number) {
  return function RowLabel(props: { x?: unknown; y?: unknown; value?: unknown; index?: number }) {
    const x = Number(props.x);
    const y = Number(props.y);
    if (!Number.isFinite(x) || !Number.isFinite(y)) return null;
    return (
      <text x={x} y={y + labelOffsetPx(rows[props.index ?? 0] ?? 0)} textAnchor="middle" fontSize={fontSize} fill={fill}>
        {String(props.value ?? '')}
      </text>
    );
  };
}

export function EvalParetoPlot() {
  const controller = useController();
  const history = useApp((s) => s.evalHistory);
  const current = useApp((s) => s.evalSummary);
  const sweep = useApp((s) => s.evalSweep);
  const points = useMemo(() => ourPoints(plottedSummaries(history, current)), [history, current]);
  const front = useMemo(() => frontLine(points), [points]);
  const curve = useMemo(() => sweepPoints(sweep), [sweep]);
  const ticks = useMemo(() => logCostTicks([...points, ...curve, ...PAPER_POINTS].map((p) => p.costUnits)), [points, curve]);
  const rows = useMemo(() => labelRows([...points, ...PAPER_POINTS], ticks), [points, ticks]);
  const kept = useApp((s) => s.evalKeptRuns);
  const isKept = (run: EvalSummary): boolean => kept.includes(run);
  const open = (p: unknown) => {
    const point = (p as { payload?: PlotPoint } | undefined)?.payload;
    if (point !== undefined && isKept(point.run)) controller?.openEvalMethod(point.method, point.run);
  };
  return (
    <div className="eval-pareto" data-testid="eval.pareto" data-points={points.length}>
      <h3 className="panel-subtitle">Cost vs EM (Pareto front)</h3>
      <ScatterChart width={640} height={320} margin={{ top: 8, right: 16, bottom: 24, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis type="number" dataKey="plotCost" name="mean cost" unit=" u" scale="log" domain={[ticks[0] ?? 0.1, ticks[ticks.length - 1] ?? 1000]} ticks={ticks} allowDataOverflow label={{ value: 'mean cost per question (units, log scale)', position: 'insideBottom', offset: -12 }} />
        <YAxis type="number" dataKey="em" name="EM" domain={[0, 1]} tickFormatter={(v: number) => pct(v)} />
        <Tooltip formatter={(v) => (typeof v === 'number' ? v.toPrecision(3) : String(v))} />
        <Legend verticalAlign="top" />
        <Scatter name="Pareto front" data={onLogAxis(front)} fill="#3aa36b" line={{ stroke: '#3aa36b', strokeWidth: 2 }} isAnimationActive={false} onClick={open} />
        <Scatter name="methods (ours)" data={onLogAxis(points)} fill="#2f6fde" isAnimationActive={false} onClick={open}>
          <LabelList dataKey="id" content={rowLabel(rows, '#334155', 10)} />
        </Scatter>
        {curve.length > 0 && <Scatter name={`sweep (${sweep?.method}, ${sweep?.parameter})`} data={onLogAxis(curve)} fill="#e07b39" line={{ stroke: '#e07b39' }} shape="diamond" isAnimationActive={false} onClick={open} />}
        <Scatter name="Router-R1 on NQ (paper)" data={onLogAxis(PAPER_POINTS)} fill="#8a8f98" shape="cross" isAnimationActive={false}>
          <LabelList dataKey="id" content={rowLabel(rows.slice(points.length), '#6b7280', 9)} />
        </Scatter>
      </ScatterChart>
      <ul className="eval-points small" aria-label="Points of the plot">
        {points.map((p, i) => {
          // aria-disabled, not disabled: the point stays focusable, so its reason can be read from the keyboard.
          const ok = isKept(p.run);
          return (
            <li key={`${p.id}|${i}`}>
              <button
                type="button"
                className="link"
                aria-disabled={ok ? undefined : true}
                title={ok ? `Open the first episode of ${p.method} in the run at α ${p.alpha}` : `The episodes of this run (α ${p.alpha}) are no longer kept: this page keeps the last ${KEPT_EVAL_RUNS} runs' episodes. Run it again to open them.`}
                onClick={() => {
                  if (ok) controller?.openEvalMethod(p.method, p.run);
                }}
                data-testid={`eval.pareto.point.${i}`}
                data-method={p.method}
                data-alpha={p.alpha}
                data-kept={ok}
                data-on-front={p.onFront}
                data-cost={p.costUnits}
                data-em={p.em}
              >
                {p.onFront ? '★ ' : ''}
                {p.id}: EM {pct(p.em)}, {p.costUnits.toPrecision(3)} units
                {ok ? '' : ' (episodes no longer kept)'}
              </button>
            </li>
          );
        })}
        {curve.map((p, i) => (
          <li key={`sweep-${i}`} data-testid={`eval.pareto.sweep.${i}`} data-cost={p.costUnits} data-em={p.em}>
            sweep {p.id}: EM {pct(p.em)}, {p.costUnits.toPrecision(3)} units
          </li>
        ))}
        <li className="muted" data-testid="eval.pareto.paper">
          Paper (Router-R1-Qwen, NQ cost study, labelled as the paper's): {PAPER_POINTS.map((p) => `${p.id} ${pct(p.em)} / ${p.costUnits}`).join('; ')}
        </li>
      </ul>
    </div>
  );
}
