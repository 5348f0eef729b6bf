import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { buildExampleTrajectory, DEMO_GALLERY_FORMAT, serializeDemoGallery, type DemoGallery } from '../../core';
import { App } from '../components/App';
import { createAppStore } from '../store/appStore';
import { AppStoreContext } from '../store/useApp';
import { fakeEngine } from '../testing/fakeEngine';
import { createAppController } from './appController';
import { ControllerContext } from './controllerContext';
import { createMemoryKeyVault } from '../../core';

afterEach(cleanup);

async function galleryText(): Promise<string> {
  const t = await buildExampleTrajectory();
  const a = { ...t, id: 'demo.multi-round.a' };
  const b = { ...t, id: 'demo.alpha-compare.a' };
  const c = { ...t, id: 'demo.alpha-compare.b', rounds: t.rounds.slice(1) };
  const gallery: DemoGallery = {
    format: DEMO_GALLERY_FORMAT,
    version: 1,
    source: 'test',
    entries: [
      { id: 'multi-round', category: 'multi-round', title: 'Multi-round routing', description: 'asks two models', variant: 'router-nano-a0', alpha: 0, trajectory: a },
      { id: 'alpha-compare', category: 'alpha-compare', title: 'α comparison', description: 'two variants', variant: 'router-nano-a0', alpha: 0, trajectory: b, compare: { variant: 'router-nano-a08', alpha: 0.8, trajectory: c } },
    ],
  };
  return serializeDemoGallery(gallery);
}

async function renderApp(readDemoGallery: () => Promise<string>) {
  const store = createAppStore();
  const controller = createAppController({ engine: fakeEngine(), store, keys: createMemoryKeyVault(), dataRoot: 'http://app/data/', readDemoGallery });
  render(
    <AppStoreContext.Provider value={store}>
      <ControllerContext.Provider value={controller}>
        <App />
      </ControllerContext.Provider>
    </AppStoreContext.Provider>,
  );
  await act(() => controller.loadDemoGallery());
  return { store, controller };
}

describe('the demo gallery', () => {
  it('lists the entries and opens one in replay at its start, as a shared trajectory opens', async () => {
    const text = await galleryText();
    const { store } = await renderApp(async () => text);
    expect(screen.getByTestId('demos.entry.multi-round').textContent).toContain('Multi-round routing');
    act(() => fireEvent.click(screen.getByTestId('demos.entry.multi-round')));
    const s = store.getState();
    expect(s).toMatchObject({ mode: 'replay', source: 'demo', revealed: 0, phase: 'finished', demoComparison: null });
    expect(s.trajectory?.id).toBe('demo.multi-round.a');
    expect(s.linkNotice).toContain('Opened a recorded trajectory from the demo gallery');
    expect(screen.getByTestId('demos.entry.multi-round').getAttribute('aria-current')).toBe('true');
    expect(screen.getByTestId('timeline')).toBeTruthy();
    expect(screen.queryByTestId('demos.compare')).toBeNull();
  });

  it('opens an α comparison with its second run side by side', async () => {
    const text = await galleryText();
    const { store } = await renderApp(async () => text);
    act(() => fireEvent.click(screen.getByTestId('demos.entry.alpha-compare')));
    expect(store.getState().trajectory?.id).toBe('demo.alpha-compare.a');
    expect(screen.getByTestId('demos.compare.left').textContent).toContain('router-nano-a0');
    expect(screen.getByTestId('demos.compare.right').textContent).toContain('router-nano-a08');
    // Another trajectory in the timeline: the comparison goes.
    act(() => fireEvent.click(screen.getByTestId('demos.entry.multi-round')));
    expect(screen.queryByTestId('demos.compare')).toBeNull();
  });

  it('shows a short note for a missing or malformed file, and the app goes on', async () => {
    await renderApp(() => Promise.reject(new Error('demos/gallery.json is not there (HTTP 404).')));
    expect(screen.getByTestId('demos.note').textContent).toContain('is not there');
    cleanup();
    const { store } = await renderApp(async () => '{"format": "router-r1-studio.demos", "version": 7}');
    expect(screen.getByTestId('demos.note').textContent).toContain('newer Router-R1 Studio');
    expect(store.getState().trajectory).toBeNull();
  });
});
