// @vitest-environment jsdom
/** Picked and dropped folders (File objects from jsdom; the entry API faked as the browser shapes it). */
import { describe, expect, it } from 'vitest';
import { loadModelFolder } from '../../core/model/modelFolder';
import { makeTinyRouterFolder } from '../../core/model/tinyRouter';
import { createFileModelSource, filesFromDroppedEntries, filesFromFileList, stripCommonFolder, type DroppedEntry } from './fileModelSource';

const tiny = makeTinyRouterFolder();
const fileOf = (path: string, contents: string | Uint8Array, relative = ''): File => {
  const f = new File([contents as BlobPart], path.split('/').pop() ?? path);
  if (relative !== '') Object.defineProperty(f, 'webkitRelativePath', { value: relative });
  return f;
};

describe('picked folders', () => {
  it('maps webkitRelativePath without the top folder and loads the model from it', async () => {
    const files = [...tiny].map(([p, c]) => fileOf(p, c, `tiny-router/${p}`));
    const picked = filesFromFileList(files);
    expect(picked.map((f) => f.path)).toContain('onnx/model_q4.onnx');
    const source = createFileModelSource(picked);
    const progress: number[] = [];
    const model = await loadModelFolder(source, { onProgress: (p) => progress.push(p.loadedBytes) });
    expect(model.onnx.bytes).toEqual(tiny.get('onnx/model_q4.onnx'));
    expect(progress.at(-1)).toBe(model.onnx.bytes.byteLength);
    const range = await source.openBytes!('onnx/model_q4.onnx');
    expect(await range.read(10, 5)).toEqual((tiny.get('onnx/model_q4.onnx') as Uint8Array).subarray(10, 15));
  });

  it('says which file is missing from the picked folder', async () => {
    const files = [...tiny].filter(([p]) => p !== 'tokenizer.json').map(([p, c]) => fileOf(p, c, `m/${p}`));
    await expect(loadModelFolder(createFileModelSource(filesFromFileList(files)))).rejects.toThrow(/the picked folder has no tokenizer\.json/);
  });

  it('walks dropped folders in readEntries batches', async () => {
    const dir = (name: string, children: DroppedEntry[]): DroppedEntry => {
      const batches = [children.slice(0, 2), children.slice(2), []];
      return { isFile: false, isDirectory: true, name, createReader: () => ({ readEntries: (ok) => ok(batches.shift() ?? []) }) };
    };
    const file = (name: string, contents: string | Uint8Array): DroppedEntry => ({ isFile: true, isDirectory: false, name, file: (ok) => ok(fileOf(name, contents)) });
    const top = [...tiny].filter(([p]) => !p.includes('/')).map(([p, c]) => file(p, c));
    const onnx = [...tiny].filter(([p]) => p.startsWith('onnx/')).map(([p, c]) => file(p.slice(5), c));
    const picked = await filesFromDroppedEntries([dir('tiny-router', [...top, dir('onnx', onnx)])]);
    expect(picked.map((f) => f.path).sort()).toEqual([...tiny.keys()].sort());
    expect((await loadModelFolder(createFileModelSource(picked))).config.numLayers).toBe(2);
  });

  it('keeps paths when files come from different folders', () => {
    expect(stripCommonFolder(['a/x', 'a/y/z'])).toEqual(['x', 'y/z']);
    expect(stripCommonFolder(['a/x', 'b/y'])).toEqual(['a/x', 'b/y']);
    expect(stripCommonFolder(['config.json'])).toEqual(['config.json']);
  });
});
