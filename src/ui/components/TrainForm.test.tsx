/**
 * The Train form's policy choice: the tiny-router always, the embedded index's variants and warm-up
 * baselines once it is loaded, the two warm-ups mixed when both are listed, and the loaded model; a real <select> (keyboard: focus + arrows), and the
 * chosen folder is what the run starts from (trainPolicyRef), with rollout settings sized for it.
 */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEmbeddedIndex } from '../../core';
import { EMBEDDED_TRAIN_ROLLOUT_SETTINGS, trainConfigFromForm, trainFormErrors, trainPolicyRef, trainRolloutSettings, TRAIN_ROLLOUT_SETTINGS } from '../session/trainActions';
import { createAppStore } from '../store/appStore';
import { ALPHA_SHIFT_PRESET, TRAIN_POLICY_WARMUP_MIX } from '../store/trainSlice';
import { AppStoreContext } from '../store/useApp';
import { TrainForm } from './TrainForm';

afterEach(cleanup);

const INDEX = parseEmbeddedIndex({
  format: 1,
  default: 'router-nano-a0',
  variants: [{ name: 'router-nano-a0', alpha: 0, summary: 'accuracy first' }, { name: 'router-nano-a08', alpha: 0.8, summary: 'cost first' }],
  warmups: [{ name: 'router-nano-a0-warmup', of: 'router-nano-a0', alpha: 0 }],
});

/** The form over a fresh store. */
function renderTrainForm(): ReturnType<typeof createAppStore> {
  const store = createAppStore();
  render(
    <AppStoreContext.Provider value={store}>
      <TrainForm />
    </AppStoreContext.Provider>,
  );
  return store;
}

describe('TrainForm: starting policy', () => {
  it('offers the embedded router-nano variants and baselines once the index is loaded; choosing one trains that folder', () => {
    const store = renderTrainForm();
    const select = screen.getByTestId('train.form.policy') as HTMLSelectElement;
    expect(select.tagName).toBe('SELECT'); // keyboard-operable natively
    expect([...select.options].map((o) => o.value)).toEqual(['tiny-router', 'loaded']);
    act(() => store.getState().setEmbeddedIndex({ status: 'ready', index: INDEX }));
    expect([...select.options].map((o) => o.value)).toEqual(['tiny-router', 'router-nano-a0', 'router-nano-a08', 'router-nano-a0-warmup', 'loaded']);
    expect(select.options[2]?.textContent).toBe('router-nano-a08 (embedded, trained policy, α 0.8)');
    fireEvent.change(select, { target: { value: 'router-nano-a0' } });
    const form = store.getState().trainForm;
    expect(form.policy).toBe('router-nano-a0');
    const ref = trainPolicyRef(form, null, 'http://app/');
    expect(ref).toEqual({ kind: 'embedded', name: 'router-nano-a0', baseUrl: 'http://app/' });
    expect(trainFormErrors(form, null, 'http://app/')).toEqual([]);
    expect(trainRolloutSettings(ref as Exclude<typeof ref, string>)).toBe(EMBEDDED_TRAIN_ROLLOUT_SETTINGS);
    expect(trainRolloutSettings({ kind: 'embedded', name: 'tiny-router', baseUrl: '' })).toBe(TRAIN_ROLLOUT_SETTINGS);
    // a checkpoint: by the loaded model's positions (tiny-router 512, router-nano 8,192)
    const loaded = (maxPositions: number) => ({ config: { maxPositions } }) as unknown as Parameters<typeof trainRolloutSettings>[1];
    expect(trainRolloutSettings({ kind: 'checkpoint', checkpointId: 'c' }, loaded(512))).toBe(TRAIN_ROLLOUT_SETTINGS);
    expect(trainRolloutSettings({ kind: 'checkpoint', checkpointId: 'c' }, loaded(8192))).toBe(EMBEDDED_TRAIN_ROLLOUT_SETTINGS);
  });

  it("offers the two warm-ups mixed (the α demo's start) only when the index lists both; choosing it trains their 50/50 mix", () => {
    const store = renderTrainForm();
    const select = screen.getByTestId('train.form.policy') as HTMLSelectElement;
    act(() => store.getState().setEmbeddedIndex({ status: 'ready', index: INDEX })); // only the a0 warm-up
    expect([...select.options].map((o) => o.value)).not.toContain(TRAIN_POLICY_WARMUP_MIX);
    const both = parseEmbeddedIndex({ ...INDEX, warmups: [...(INDEX.warmups ?? []), { name: 'router-nano-a08-warmup', of: 'router-nano-a08', alpha: 0.8 }] });
    act(() => store.getState().setEmbeddedIndex({ status: 'ready', index: both }));
    expect([...select.options].map((o) => o.value)).toEqual(['tiny-router', 'router-nano-a0', 'router-nano-a08', 'router-nano-a0-warmup', 'router-nano-a08-warmup', TRAIN_POLICY_WARMUP_MIX, 'loaded']);
    expect(select.options[5]?.textContent).toBe('warm-ups mixed (routing not yet decided; the α demo)');
    fireEvent.change(select, { target: { value: TRAIN_POLICY_WARMUP_MIX } });
    const form = store.getState().trainForm;
    expect(form.policy).toBe(TRAIN_POLICY_WARMUP_MIX);
    const ref = trainPolicyRef(form, null, 'http://app/');
    expect(ref).toEqual({ kind: 'embedded-mix', name: 'router-nano-a0-warmup', with: 'router-nano-a08-warmup', weight: 0.5, baseUrl: 'http://app/' });
    expect(trainFormErrors(form, null, 'http://app/')).toEqual([]);
    expect(trainRolloutSettings(ref as Exclude<typeof ref, string>)).toBe(EMBEDDED_TRAIN_ROLLOUT_SETTINGS);
  });

  it('"α-shift demo" fills the form with cli/train/examples/alpha-shift.json\'s values, shown in the inputs (offered with the mix only)', () => {
    const store = renderTrainForm();
    expect(screen.queryByTestId('train.form.preset.alphaShift')).toBeNull(); // no index, no mix
    const both = parseEmbeddedIndex({ ...INDEX, warmups: [...(INDEX.warmups ?? []), { name: 'router-nano-a08-warmup', of: 'router-nano-a08', alpha: 0.8 }] });
    act(() => store.getState().setEmbeddedIndex({ status: 'ready', index: both }));
    fireEvent.click(screen.getByRole('button', { name: 'α-shift demo (warm-ups mixed, α 0.9)' }));
    const form = store.getState().trainForm;
    expect(form).toEqual(ALPHA_SHIFT_PRESET);
    // alpha-shift.json: run { seed 3, steps 24, questionsPerStep 8, groupSize 4, minibatchSize 32, alpha 0.9, lr 1e-4 constant, checkpointEvery 12 }, rollout temperature 1
    expect(trainConfigFromForm(form, 'r')).toMatchObject({ seed: 3, steps: 24, questionsPerStep: 8, groupSize: 4, minibatchSize: 32, epochs: 1, alpha: 0.9, schedule: { kind: 'constant', lr: 1e-4 }, checkpointEvery: 12, loss: { klCoef: 0.001, entropyCoef: 0.001 } });
    expect(trainPolicyRef(form, null, '')).toMatchObject({ kind: 'embedded-mix', name: 'router-nano-a0-warmup', with: 'router-nano-a08-warmup', weight: 0.5 });
    const value = (key: string): string => (screen.getByTestId(`train.form.${key}`) as HTMLInputElement).value;
    expect(['policy', 'alpha', 'groupSize', 'batch', 'lr', 'klCoef', 'steps', 'seed', 'checkpointEvery', 'temperature', 'device'].map((k) => [k, value(k)])).toEqual([
      ['policy', TRAIN_POLICY_WARMUP_MIX], ['alpha', '0.9'], ['groupSize', '4'], ['batch', '8'], ['lr', '0.0001'], ['klCoef', '0.001'], ['steps', '24'], ['seed', '3'], ['checkpointEvery', '12'], ['temperature', '1'], ['device', 'wasm'],
    ]);
    expect(trainFormErrors(form, null, '')).toEqual([]);
  });
});
