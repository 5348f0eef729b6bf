/**
 * "Convert a checkpoint" in the Model policy panel, over a fake engine: the source is a keyboard-reachable
 * radio; picked files and a URL prefix go to engine.convertModel (never converted on this thread); progress
 * shows tensor n of N and bytes with Cancel; done shows "Use it", which loads the cached folder by its
 * ref; a failure shows the engine's message in an alert; Cancel aborts the engine's stream.
 */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoadedModelInfo, ModelConvertEvent, ModelConvertRequest, ModelLoadRequest } from '../../core';
import { createAppController } from '../session/appController';
import { ControllerContext } from '../session/controllerContext';
import { createMemoryKeyVault } from '../../core';
import { CONVERT_CANCELLED } from '../store/bindModel';
import { createAppStore } from '../store/appStore';
import { AppStoreContext } from '../store/useApp';
import { fakeEngine } from '../testing/fakeEngine';
import { ModelPanel } from './ModelPanel';

afterEach(cleanup);

const KEY = 'http://app/converted/ckpt-q4/';

/** As the app's reader (adapters/models/fileModelSource.filesFromFileList) maps a picked folder: paths inside it. */
const pickedFromFileList = (files: ArrayLike<File>) => Array.from(files).map((file) => ({ path: file.webkitRelativePath.replace(/^[^/]+\//, ''), file }));

/** A gate the fake conversion waits on, so the test sees the progress in between. */
function gate(): { wait: Promise<void>; open(): void } {
  let open = () => undefined as void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

function setup(convert: (req: ModelConvertRequest, signal: AbortSignal | undefined) => AsyncGenerator<ModelConvertEvent>) {
  const store = createAppStore();
  const loads: ModelLoadRequest[] = [];
  const converts: ModelConvertRequest[] = [];
  const engine = fakeEngine({
    listCachedModels: async () => [],
    modelCacheQuota: async () => null,
    deviceInfo: async () => Promise.reject(new Error('none')),
    convertModel: (req, opts) => {
      converts.push(req);
      return convert(req, opts?.signal);
    },
    async *loadModel(req) {
      loads.push(req);
      yield { type: 'model.loaded', info: { ref: req.source, name: 'ckpt-q4', location: KEY, template: 'qwen', templateFrom: 'router.json', onnx: { path: 'onnx/model_q4.onnx', variant: 'q4' }, files: [], estimatedMemoryBytes: 0, config: { modelType: 'qwen2', layers: 2, hiddenSize: 32, heads: 4, kvHeads: 2, vocabSize: 288, maxPositions: 256 }, tokenizerVocabSize: 272, preferredDevice: 'auto', device: { ep: 'wasm', adapterInfo: null, shaderF16: null, threads: 1, fallbackReason: null } } as LoadedModelInfo };
    },
  });
  const controller = createAppController({ engine, store, keys: createMemoryKeyVault(), dataRoot: 'http://app/data/', baseUrl: 'http://app/', pickedFiles: { fromFileList: pickedFromFileList, fromDataTransfer: async () => [] } });
  render(
    <AppStoreContext.Provider value={store}>
      <ControllerContext.Provider value={controller}>
        <ModelPanel />
      </ControllerContext.Provider>
    </AppStoreContext.Provider>,
  );
  return { store, loads, converts };
}

const flush = () => act(async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0)); });

describe('Convert a checkpoint (Model policy)', () => {
  it('picked files → progress (tensor n of N, bytes) → done → "Use it" loads the cached folder', async () => {
    const g = gate();
    const { loads, converts } = setup(async function* () {
      yield { type: 'convert.started', location: 'picked folder ckpt', modelType: 'qwen2', tensorCount: 4, totalBytes: 4096, weightFiles: ['model.safetensors'] };
      yield { type: 'convert.tensorRead', name: 'model.embed_tokens.weight', tensorIndex: 2, tensorCount: 4, bytesRead: 2048, totalBytes: 4096 };
      await g.wait;
      yield { type: 'convert.cached', model: { ref: { kind: 'cache', key: KEY }, name: 'ckpt-q4', files: [{ path: 'onnx/model_q4.onnx', bytes: 3000 }, { path: 'config.json', bytes: 100 }] } };
    });
    const radio = screen.getByTestId('model.source.convert') as HTMLInputElement;
    expect(radio.type).toBe('radio'); // keyboard: arrow keys in the radio group
    fireEvent.click(radio);
    const input = screen.getByTestId('convert.files.folder') as HTMLInputElement;
    const file = new File(['{}'], 'config.json');
    Object.defineProperty(file, 'webkitRelativePath', { value: 'ckpt/config.json' });
    await act(async () => {
      fireEvent.change(input, { target: { files: [file] } });
    });
    await flush();
    expect(converts[0]?.source).toMatchObject({ kind: 'upload', label: 'picked folder ckpt', files: [{ path: 'config.json' }] });
    expect(converts[0]?.baseUrl).toBe('http://app/');
    expect(screen.getByTestId('convert.progress.tensors').textContent).toMatch(/tensor 2 of 4 · 2(\.0)? KB \/ 4(\.0)? KB/);
    expect(screen.getByTestId('convert.progress.percent').textContent).toBe('50%');
    expect(screen.getByTestId('convert.cancel').tagName).toBe('BUTTON');
    g.open();
    await flush();
    expect(screen.getByTestId('convert.done').textContent).toContain('ckpt-q4');
    const use = screen.getByTestId('convert.use');
    expect(use.tagName).toBe('BUTTON');
    await act(async () => {
      fireEvent.click(use);
    });
    await flush();
    expect(loads.at(-1)?.source).toEqual({ kind: 'cache', key: KEY });
    expect(screen.getByTestId('model.loaded').textContent).toContain('ckpt-q4');
  });

  it('a URL prefix (the Enter key submits), the engine’s error in an alert', async () => {
    const { converts } = setup(async function* () {
      throw new Error('https://x/ has no tokenizer.json. The converted folder needs the tokenizer files');
    });
    fireEvent.click(screen.getByTestId('model.source.convert'));
    fireEvent.change(screen.getByTestId('convert.url'), { target: { value: 'https://x/' } });
    await act(async () => {
      fireEvent.submit(screen.getByTestId('convert.url'));
    });
    await flush();
    expect(converts[0]?.source).toEqual({ kind: 'url', prefix: 'https://x/' });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('has no tokenizer.json');
  });

  it('Cancel aborts the conversion in the engine and says nothing was kept', async () => {
    let aborted = false;
    setup(async function* (_req, signal) {
      yield { type: 'convert.started', location: 'https://x/', modelType: 'llama', tensorCount: 4, totalBytes: 4096, weightFiles: ['model.safetensors'] };
      await new Promise<void>((_, reject) => signal?.addEventListener('abort', () => ((aborted = true), reject(new DOMException('Cancelled', 'AbortError')))));
    });
    fireEvent.click(screen.getByTestId('model.source.preset'));
    fireEvent.change(screen.getByTestId('model.presetUrl'), { target: { value: 'https://x/' } });
    await act(async () => {
      fireEvent.click(screen.getByTestId('model.preset.convert'));
    });
    await flush();
    await act(async () => {
      fireEvent.click(screen.getByTestId('convert.cancel'));
    });
    await flush();
    expect(aborted).toBe(true);
    expect(screen.getByTestId('convert.error').textContent).toContain(CONVERT_CANCELLED);
  });
});
