import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppStore } from '../store/appStore';
import { AppStoreContext } from '../store/useApp';
import { App } from './App';

afterEach(cleanup);

function renderApp() {
  const store = createAppStore();
  render(
    <AppStoreContext.Provider value={store}>
      <App />
    </AppStoreContext.Provider>,
  );
  return store;
}

describe('opened links in the app', () => {
  it('shows a link error that can be dismissed, and the app stays as it was', () => {
    const store = renderApp();
    act(() => store.getState().linkFailed('This link is damaged. The app is unchanged.'));
    expect(screen.getByTestId('link.error').textContent).toContain('This link is damaged');
    expect(screen.getByTestId('app.empty')).toBeTruthy();
    fireEvent.click(screen.getByTestId('link.dismiss'));
    expect(screen.queryByTestId('link.error')).toBeNull();
  });

  it('shows an evaluation summary table', () => {
    const store = renderApp();
    act(() =>
      store.getState().showEvaluation({ title: 'NQ dev', dataset: 'nq', questions: 100, alpha: 0, seed: 42, rows: [{ method: 'Router-R1', em: 0.412, f1: 0.5, costUsd: 0.0012, costUnits: 120.5, calls: 1.6 }] }),
    );
    expect(screen.getByTestId('evaluation.row.0').textContent).toContain('Router-R1');
    expect(screen.getByTestId('evaluation.row.0').textContent).toContain('41.2%');
    fireEvent.click(screen.getByTestId('evaluation.close'));
    expect(screen.queryByTestId('evaluation')).toBeNull();
  });
});
