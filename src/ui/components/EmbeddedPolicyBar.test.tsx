import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoadedModelInfo, ModelRef } from '../../core';
import { createAppController } from '../session/appController';
import { ControllerContext } from '../session/controllerContext';
import { createMemoryKeyVault } from '../../core';
import { createAppStore } from '../store/appStore';
import { AppStoreContext } from '../store/useApp';
import { fakeEngine } from '../testing/fakeEngine';
import { SetupPanel } from './SetupPanel';

afterEach(cleanup);

const INDEX = { format: 1, default: 'router-nano-a0', variants: [{ name: 'router-nano-a0', alpha: 0, summary: 'accuracy first' }, { name: 'router-nano-a08', alpha: 0.8, summary: 'cost first' }] };

function info(ref: ModelRef): LoadedModelInfo {
  const name = ref.kind === 'embedded' ? ref.name : ref.kind;
  return {
    ref, location: `http://app/models/${name}/`, name, template: 'compact', templateFrom: 'router.json', onnx: { path: 'onnx/model_q4.onnx', variant: 'q4' }, files: [], estimatedMemoryBytes: 0,
    config: { modelType: 'qwen2', layers: 4, hiddenSize: 192, heads: 6, kvHeads: 2, vocabSize: 2048, maxPositions: 8192 }, tokenizerVocabSize: 2048, preferredDevice: 'auto',
    device: { ep: 'wasm', adapterInfo: null, shaderF16: null, threads: 1, fallbackReason: null },
  };
}

function renderSetup(index: () => Promise<unknown>) {
  const store = createAppStore();
  const engine = fakeEngine({
    loadOfflinePool: async () => ({ location: '/data/', pool: [{ name: 'small', provider: 'offline', providerModelId: 'small', inputPer1M: 0.1, outputPer1M: 0.1, simulated: true }], questions: [{ id: 'nq-1', text: 'who?', goldAnswers: ['x'] }] }),
    loadReferenceData: async () => Promise.reject(new Error('none')),
    listCachedModels: async () => [],
    modelCacheQuota: async () => null,
    deviceInfo: async () => Promise.reject(new Error('none')),
    async *loadModel(req) {
      if (req.source.kind === 'upload') throw new Error('no uploads');
      yield { type: 'model.loaded', info: info(req.source) };
    },
  });
  const controller = createAppController({ engine, store, keys: createMemoryKeyVault(), dataRoot: 'http://app/data/', baseUrl: 'http://app/', readEmbeddedIndex: index });
  render(
    <AppStoreContext.Provider value={store}>
      <ControllerContext.Provider value={controller}>
        <SetupPanel />
      </ControllerContext.Provider>
    </AppStoreContext.Provider>,
  );
  return { store, controller };
}

describe('the embedded policy bar and the α control', () => {
  it('shows the running variant, enables the sample button once ready, and the α slider switches the variant', async () => {
    const { store, controller } = renderSetup(async () => INDEX);
    await act(async () => {
      await Promise.all([controller.openEmbeddedDefault(), controller.init()]);
    });
    expect(screen.getByTestId('embedded.variant').textContent).toBe('router-nano-a0 (trained for α = 0)');
    const button = screen.getByTestId('sample.run') as HTMLButtonElement;
    expect(button.disabled).toBe(false);
    expect(button.tagName).toBe('BUTTON'); // keyboard reachable: a real button in the tab order
    expect((screen.getByTestId('model.embedded') as HTMLSelectElement).value).toBe('router-nano-a0');
    await act(async () => {
      fireEvent.change(screen.getByTestId('setup.alpha'), { target: { value: '0.8' } });
    });
    await act(async () => {
      await Promise.resolve();
    });
    expect(screen.getByTestId('setup.alphaValue').textContent).toBe('0.80');
    expect(screen.getByTestId('embedded.variant').textContent).toBe('router-nano-a08 (trained for α = 0.8)');
    expect(store.getState().modelInfo?.name).toBe('router-nano-a08');
  });

  it('says why the default did not open, in "you are the router" mode', async () => {
    const { store, controller } = renderSetup(async () => Promise.reject(new Error('HTTP 404')));
    await act(async () => {
      await controller.openEmbeddedDefault();
    });
    expect(store.getState().mode).toBe('human');
    expect((screen.getByTestId('mode.human') as HTMLInputElement).checked).toBe(true);
    expect(screen.getByTestId('embedded.error').textContent).toContain('models/embedded.json could not be read (HTTP 404)');
    expect(screen.queryByTestId('sample.run')).toBeNull();
    fireEvent.click(screen.getByTestId('embedded.error.dismiss'));
    expect(screen.queryByTestId('embedded.error')).toBeNull();
  });
});
