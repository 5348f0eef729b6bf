/** The Pareto plot's log cost axis: ticks cover every plotted cost, and zero costs sit at the floor. */
import { describe, expect, it } from 'vitest';
import { labelOffsetPx, labelRows, LOG_COST_FLOOR, logCostTicks, onLogAxis, PAPER_POINTS } from './evalSeries';

describe('the log cost axis', () => {
  it('covers our costs and the paper points with 1-3-10 ticks', () => {
    const ticks = logCostTicks([1.48, 16.6, 41.7, ...PAPER_POINTS.map((p) => p.costUnits)]);
    expect(ticks).toEqual([1, 3, 10, 30, 100, 300, 1000]);
    expect(ticks[0]).toBeLessThanOrEqual(1.48);
    expect(ticks[ticks.length - 1]).toBeGreaterThanOrEqual(Math.max(...PAPER_POINTS.map((p) => p.costUnits)));
  });

  it('draws a zero cost at the floor and keeps the real cost for the list', () => {
    const [p] = onLogAxis([{ id: 'direct', costUnits: 0 }]);
    expect(p).toEqual({ id: 'direct', costUnits: 0, plotCost: LOG_COST_FLOOR });
    expect(logCostTicks([0, 5])[0]).toBe(LOG_COST_FLOOR);
    expect(logCostTicks([])).toEqual([1, 10, 100]);
  });
});

describe('label rows', () => {
  it('puts labels of nearby points on different rows, and far apart ones on the first', () => {
    const ticks = [1, 3, 10, 30, 100, 300, 1000];
    const rows = labelRows(
      [
        { id: 'cheapest', costUnits: 2.28, em: 0.5 },
        { id: 'single:qwen2.5-7b-instruct', costUnits: 5.72, em: 0.5 },
        { id: 'cascade', costUnits: 5.09, em: 0.5 },
        { id: 'far away', costUnits: 500, em: 0.1 },
      ],
      ticks,
    );
    // the long label overlaps both neighbours; cheapest and cascade are far enough apart to share a row
    expect(rows[1]).not.toBe(rows[0]);
    expect(rows[1]).not.toBe(rows[2]);
    expect(rows[0]).toBe(rows[2]);
    expect(rows[3]).toBe(0);
    expect(labelOffsetPx(0)).toBeLessThan(0);
    expect(labelOffsetPx(1)).toBeGreaterThan(0);
  });
});
