import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { buildExampleTrajectory } from '../../core';
import { createAppStore, type AppStore } from '../store/appStore';
import { AppStoreContext } from '../store/useApp';
import { bladeRunnerFixture, edgeCaseFixture } from '../testing/trajectoryFixtures';
import { App } from './App';

afterEach(cleanup);

function renderApp(store: AppStore = createAppStore()) {
  render(
    <AppStoreContext.Provider value={store}>
      <App />
    </AppStoreContext.Provider>,
  );
  return store;
}

function loaded(trajectory = bladeRunnerFixture()): AppStore {
  const store = createAppStore();
  store.getState().loadTrajectory(trajectory, 'example');
  return renderApp(store);
}

const round = (i: number) => screen.queryByTestId(`timeline.round.${i}`);
const key = (k: string) => fireEvent.keyDown(document.body, { key: k });

describe('App', () => {
  it('shows the loading state, then the example with its label and question', () => {
    const store = createAppStore();
    store.getState().beginLoad('example');
    renderApp(store);
    expect(screen.getByTestId('app.loading')).toBeTruthy();
    act(() => store.getState().loadTrajectory(bladeRunnerFixture(), 'example'));
    expect(screen.getByTestId('header.source').textContent).toBe('Example trajectory — built by the project, scripted, no model');
    expect(screen.getByTestId('question.text').textContent).toBe('Who directed the film Blade Runner?');
    expect(screen.getByTestId('question.gold').textContent).toContain('Ridley Scott');
    expect(document.activeElement).toBe(screen.getByTestId('app.main'));
  });

  it('shows a load failure', () => {
    const store = createAppStore();
    store.getState().failLoad('no example');
    renderApp(store);
    expect(screen.getByTestId('app.loadError').textContent).toContain('no example');
  });

  it('reveals rounds sub-step by sub-step with the buttons', () => {
    loaded();
    expect(round(0)).toBeNull();
    expect(screen.getByTestId('timeline.empty')).toBeTruthy();
    const next = screen.getByTestId('controls.next');
    fireEvent.click(next);
    expect(screen.getByTestId('timeline.round.0.think').textContent).toContain('A small model may know');
    expect(screen.queryByTestId('timeline.round.0.route')).toBeNull();
    fireEvent.click(next);
    const route = screen.getByTestId('timeline.round.0.route');
    expect(within(route).getByTestId('timeline.round.0.route.name').textContent).toBe('LLaMA-3.1-8B-Instruct');
    expect(within(route).getByTestId('timeline.round.0.route.resolved').textContent).toContain('LLaMA-3.1-8B-Instruct');
    expect(screen.queryByTestId('timeline.round.0.reply')).toBeNull();
    fireEvent.click(next);
    expect(screen.getByTestId('timeline.round.0.reply.text').textContent).toBe('I am not sure.');
    expect(screen.getByTestId('timeline.round.0.tokens').textContent).toBe('40 prompt · 6 completion');
    expect(screen.getByTestId('timeline.round.0.cost').textContent).toContain('1.08 units');
    expect(screen.getByTestId('timeline.round.0.latency').textContent).toBe('250 ms (simulated)');
    expect(round(1)).toBeNull();
    expect(screen.getByTestId('controls.position').textContent).toContain('Step 3 / 8');
    fireEvent.click(screen.getByTestId('controls.prev'));
    expect(screen.queryByTestId('timeline.round.0.reply')).toBeNull();
  });

  it('steps with the keyboard and shows the reward breakdown only at the end', () => {
    loaded();
    key('ArrowRight');
    key('j');
    expect(screen.getByTestId('timeline.round.0.route')).toBeTruthy();
    key('k');
    expect(screen.queryByTestId('timeline.round.0.route')).toBeNull();
    expect(screen.getByTestId('reward.pending')).toBeTruthy();
    key('End');
    expect(round(2)).not.toBeNull();
    expect(screen.getByTestId('timeline.round.2.answer').textContent).toContain('Ridley Scott');
    expect(screen.getByTestId('reward.format').textContent).toBe('0');
    expect(screen.getByTestId('reward.em').textContent).toBe('1');
    expect(screen.getByTestId('reward.answer').textContent).toBe('Ridley Scott');
    expect(screen.getByTestId('reward.total').textContent).toBe('1');
    expect(screen.getByTestId('reward.metrics.calls').textContent).toBe('2');
    expect(screen.getByTestId('timeline.end').textContent).toContain('answered');
    key('ArrowLeft');
    expect(screen.queryByTestId('timeline.round.2.answer')).toBeNull();
    expect(screen.getByTestId('reward.pending')).toBeTruthy();
    key('Home');
    expect(round(0)).toBeNull();
  });

  it('ignores step keys while typing in a text field', () => {
    const store = loaded();
    const input = document.createElement('input');
    document.body.appendChild(input);
    fireEvent.keyDown(input, { key: 'ArrowRight' });
    expect(store.getState().revealed).toBe(0);
    input.remove();
  });

  it('shows unknown models, call errors and invalid actions as such', () => {
    loaded(edgeCaseFixture());
    key('End');
    expect(screen.getByTestId('timeline.round.0.route.resolved').textContent).toBe('unknown model');
    expect(screen.getByTestId('timeline.round.0.error').textContent).toContain('unknown-model');
    expect(screen.getByTestId('timeline.round.0.reply.text').textContent).toContain('None');
    expect(screen.getByTestId('timeline.round.0.cost').textContent).toBe('0 units · $0');
    expect(screen.getByTestId('timeline.round.1.action').textContent).toBe('invalid');
    expect(screen.getByTestId('timeline.round.1.invalid').textContent).toContain('llm-name');
    // An unresolvable name and a search without information break the format: the total is −1.
    expect(screen.getByTestId('reward.format').textContent).toBe('-1');
    expect(screen.getByTestId('reward.em').textContent).toBe('0');
    expect(screen.getByTestId('reward.total').textContent).toBe('-1');
  });

  it('opens the prompt view and the raw generations', () => {
    loaded();
    expect(screen.queryByTestId('prompt.text')).toBeNull();
    fireEvent.click(screen.getByTestId('prompt.toggle'));
    expect(screen.getByTestId('prompt.text').textContent).toContain('Question: Who directed');
    key('ArrowRight');
    fireEvent.click(screen.getByTestId('controls.raw'));
    expect(screen.getByTestId('timeline.round.0.raw').textContent).toContain('<search> LLaMA-3.1-8B-Instruct');
  });

  it("renders the project's example trajectory through to its reward", async () => {
    loaded(await buildExampleTrajectory());
    expect(screen.getByTestId('question.text').textContent).toContain('Blade Runner');
    key('End');
    expect(screen.getByTestId('timeline.round.0.route.name').textContent).toMatch(/8B/);
    expect(screen.getByTestId('timeline.round.1.route.name').textContent).toMatch(/70B/);
    expect(screen.getByTestId('timeline.round.2.answer')).toBeTruthy();
    expect(screen.getByTestId('reward.format').textContent).toBe('0');
    expect(screen.getByTestId('reward.em').textContent).toBe('1');
  });
});
