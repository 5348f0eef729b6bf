/**
 * The Evaluate view's settings with the embedded variants listed: the "embedded policy by α" method is a
 * native checkbox with its name (reachable and toggled from the keyboard), and the α slider (a native
 * range input, arrow keys) switches the variant it names — router-nano-a0 below α 0.45, router-nano-a08
 * from there — in the method's label, beside the slider and in the slider's accessible value.
 */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppStore } from '../../store/appStore';
import { AppStoreContext } from '../../store/useApp';
import { EMBEDDED_VARIANTS, EMBEDDED_WARMUPS } from '../../testing/embeddedFixtures';
import { EvalSettingsPanel } from './EvalSettingsPanel';

afterEach(cleanup);

const VARIANTS = EMBEDDED_VARIANTS;

const WARMUPS = EMBEDDED_WARMUPS;

function renderPanel(listed: boolean, warmups = false) {
  const store = createAppStore();
  if (listed) store.getState().setEvalEmbedded({ status: 'ready', variants: VARIANTS, ...(warmups ? { warmups: WARMUPS } : {}) });
  render(
    <AppStoreContext.Provider value={store}>
      <EvalSettingsPanel />
    </AppStoreContext.Provider>,
  );
  return store;
}

describe('the embedded policy by α in the Evaluate settings', () => {
  it('is a named checkbox whose variant follows the α slider', () => {
    const store = renderPanel(true);
    const box = screen.getByRole('checkbox', { name: 'embedded policy by α (router-nano-a0)' });
    expect(box).toBe(screen.getByTestId('eval.method.policy:embedded'));
    expect((box as HTMLInputElement).type).toBe('checkbox'); // Space toggles it; Tab reaches it
    fireEvent.click(box);
    expect(store.getState().evalSettings.methods).toContain('policy:embedded');

    const slider = screen.getByRole('slider', { name: 'α' }) as HTMLInputElement;
    expect(slider.type).toBe('range'); // arrow keys, Home and End move it
    expect(screen.getByTestId('eval.alpha.variant').textContent).toContain('router-nano-a0');
    for (const [alpha, name] of [
      ['0.4', 'router-nano-a0'],
      ['0.45', 'router-nano-a08'],
      ['0.8', 'router-nano-a08'],
      ['0.2', 'router-nano-a0'],
    ] as const) {
      act(() => void fireEvent.change(slider, { target: { value: alpha } }));
      expect(store.getState().evalSettings.alpha).toBe(Number(alpha));
      expect(screen.getByTestId('eval.alpha.variant').textContent).toContain(name);
      expect(slider.getAttribute('aria-valuetext')).toBe(`${Number(alpha).toFixed(2)}, embedded variant ${name}`);
      expect((screen.getByRole('checkbox', { name: `embedded policy by α (${name})` }) as HTMLInputElement).checked).toBe(true);
    }
  });

  it('is not offered while embedded.json lists no variant', () => {
    renderPanel(false);
    expect(screen.queryByTestId('eval.method.policy:embedded')).toBeNull();
    expect(screen.queryByTestId('eval.alpha.variant')).toBeNull();
    expect(screen.getByTestId('eval.alpha').getAttribute('aria-valuetext')).toBeNull();
  });
});

describe('the warm-ups (each variant before RL) in the Evaluate settings', () => {
  it('are named checkboxes with a tooltip saying they are the same weights before RL; the α slider never picks one', () => {
    const store = renderPanel(true, true);
    const box = screen.getByRole('checkbox', { name: 'router-nano-a0 before RL (warm-up, α 0)' });
    expect(box).toBe(screen.getByTestId('eval.method.policy:router-nano-a0-warmup'));
    expect((box as HTMLInputElement).type).toBe('checkbox'); // Tab reaches it, Space toggles it
    expect(box.getAttribute('title')).toMatch(/same weights as router-nano-a0 before RL/);
    expect(box.closest('label')?.getAttribute('title')).toMatch(/same weights as router-nano-a0 before RL/);
    expect(screen.getByRole('checkbox', { name: 'router-nano-a08 before RL (warm-up, α 0.8)' })).toBe(screen.getByTestId('eval.method.policy:router-nano-a08-warmup'));
    fireEvent.click(box);
    expect(store.getState().evalSettings.methods).toContain('policy:router-nano-a0-warmup');

    const slider = screen.getByRole('slider', { name: 'α' }) as HTMLInputElement;
    for (const [alpha, name] of [
      ['0', 'router-nano-a0'],
      ['0.8', 'router-nano-a08'],
    ] as const) {
      act(() => void fireEvent.change(slider, { target: { value: alpha } }));
      expect(screen.getByTestId('eval.alpha.variant').textContent).toContain(name);
      expect(screen.getByTestId('eval.alpha.variant').textContent).not.toContain('warmup');
      expect(screen.getByRole('checkbox', { name: `embedded policy by α (${name})` })).toBeTruthy();
    }
  });

  it('are not offered when embedded.json lists none', () => {
    renderPanel(true);
    expect(screen.queryByTestId('eval.method.policy:router-nano-a0-warmup')).toBeNull();
    expect(screen.getByTestId('eval.method.policy:router-nano-a0')).toBeTruthy();
  });
});
