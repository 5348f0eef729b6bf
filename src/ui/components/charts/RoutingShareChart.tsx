/** Routing share per pool model, stacked per step (sums to 1 when the step made any call). */
import { Area, AreaChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { TrainPoint } from '../../store/trainSlice';
import { ChartFrame, stepChartProps } from './MetricChart';
import { modelColor, routingRows } from './trainCharts';

export function RoutingShareChart({ points, onPick }: { points: readonly TrainPoint[]; onPick?: (step: number) => void }) {
  const { rows, models } = routingRows(points);
  return (
    <ChartFrame id="routing" title="Routing share per model" points={points}>
      <AreaChart
        data={rows}
        {...stepChartProps(onPick, points)}
      >
        <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
        <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} fontSize={11} />
        {/* Fixed 0–100%: stacked float shares can sum to 1.0000002, which recharts would otherwise widen the axis to. */}
        <YAxis domain={[0, 1]} allowDataOverflow ticks={[0, 0.25, 0.5, 0.75, 1]} tickFormatter={(v: number) => `${Math.round(v * 100)}%`} fontSize={11} width={56} />
        <Tooltip isAnimationActive={false} />
        {models.length > 0 && <Legend iconSize={8} wrapperStyle={{ fontSize: 10 }} />}
        {models.map((m, i) => (
          <Area key={m} type="linear" dataKey={m} stackId="share" stroke={modelColor(i)} fill={modelColor(i)} fillOpacity={0.5} isAnimationActive={false} />
        ))}
      </AreaChart>
      {models.length === 0 && <p className="muted small">No calls yet: the policy has not routed.</p>}
    </ChartFrame>
  );
}
