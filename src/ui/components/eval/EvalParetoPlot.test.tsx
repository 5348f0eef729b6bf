/**
 * The Pareto plot's point list with two runs of one method id (α 0 and α 0.8): each point opens that
 * method's episodes of ITS run (the run's summary goes to openEvalMethod), and a point whose run's
 * episodes are no longer kept is marked disabled (aria-disabled, still focusable, with the reason in
 * its title and text) and opens nothing.
 */
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EvalSummary, MethodSummary } from '../../../core';
import type { AppController } from '../../session/appController';
import { ControllerContext } from '../../session/controllerContext';
import { createAppStore } from '../../store/appStore';
import { AppStoreContext } from '../../store/useApp';
import { EvalParetoPlot } from './EvalParetoPlot';

afterEach(cleanup);

const method = (id: string, em: number, costUnits: number): MethodSummary => ({ method: id, questions: 2, em, f1: em, costUnits, calls: 1, formatValidRate: 1, turns: 1, reward: em, routingShare: {}, collapsed: false }) as unknown as MethodSummary;
const summary = (alpha: number, em: number): EvalSummary => ({
  runId: 'eval-offline-heldout-s42',
  dataset: 'offline-heldout',
  questions: 2,
  alpha,
  seed: 42,
  limits: { maxCalls: null, maxSpendUsd: null },
  methods: [method('policy:embedded', em, 10 - em)],
  paretoFront: ['policy:embedded'],
  paretoFrontWithoutOracle: ['policy:embedded'],
});

function renderPlot(kept: (h: EvalSummary[]) => EvalSummary[]) {
  const store = createAppStore();
  const first = summary(0, 0.5);
  const second = summary(0.8, 0.25);
  store.setState({ evalHistory: [first, second], evalSummary: second });
  store.getState().setEvalKeptRuns(kept([first, second]));
  const openEvalMethod = vi.fn(() => true);
  render(
    <AppStoreContext.Provider value={store}>
      <ControllerContext.Provider value={{ openEvalMethod } as unknown as AppController}>
        <EvalParetoPlot />
      </ControllerContext.Provider>
    </AppStoreContext.Provider>,
  );
  return { first, second, openEvalMethod };
}

describe('Pareto points of earlier runs', () => {
  it("each point opens its own run's episodes (α 0's point: the α 0 run)", () => {
    const { first, second, openEvalMethod } = renderPlot((h) => h);
    const p0 = screen.getByTestId('eval.pareto.point.0');
    const p1 = screen.getByTestId('eval.pareto.point.1');
    expect(p0.dataset['alpha']).toBe('0');
    expect(p1.dataset['alpha']).toBe('0.8');
    fireEvent.click(p0);
    expect(openEvalMethod).toHaveBeenLastCalledWith('policy:embedded', first);
    fireEvent.click(p1);
    expect(openEvalMethod).toHaveBeenLastCalledWith('policy:embedded', second);
    expect(p0.getAttribute('aria-disabled')).toBeNull();
  });

  it('a point whose episodes are no longer kept is disabled with the reason, stays focusable and opens nothing', () => {
    const { openEvalMethod } = renderPlot((h) => h.slice(1));
    const old = screen.getByTestId('eval.pareto.point.0') as HTMLButtonElement;
    expect(old.getAttribute('aria-disabled')).toBe('true');
    expect(old.disabled).toBe(false); // reachable with Tab, so the reason can be read
    expect(old.title).toMatch(/no longer kept/);
    expect(old.textContent).toMatch(/episodes no longer kept/);
    old.focus();
    expect(document.activeElement).toBe(old);
    fireEvent.click(old);
    expect(openEvalMethod).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId('eval.pareto.point.1'));
    expect(openEvalMethod).toHaveBeenCalledTimes(1);
  });
});
