/**
 * Where the model policy comes from: an embedded folder (the default policies of models/embedded.json,
 * or the tiny-router test model), a URL prefix (a Hugging Face
 * `resolve/main/` URL included), a local folder or files (picked or dropped), or a Router-R1 preset
 * (its Hugging Face URL prefilled; those are safetensors checkpoints: convert them, which needs network), or
 * "Convert a checkpoint" from picked files or a URL prefix (ConvertCheckpoint.tsx).
 */
import { useState, type DragEvent } from 'react';
import { presetUrlPrefix, ROUTER_R1_PRESETS, TINY_ROUTER_NAME } from '../../core';
import { useController } from '../session/controllerContext';
import { ConvertCheckpointSource } from './ConvertCheckpoint';
import { embeddedVariantLabel, type ModelSourceKind } from '../store/modelSlice';
import { useApp } from '../store/useApp';

const SOURCES: { id: ModelSourceKind; label: string }[] = [
  { id: 'embedded', label: 'Embedded' },
  { id: 'url', label: 'URL prefix' },
  { id: 'files', label: 'Local folder / files' },
  { id: 'preset', label: 'Router-R1 preset' },
  { id: 'convert', label: 'Convert a checkpoint' },
];

export function ModelSourcePicker() {
  const controller = useController();
  const source = useApp((s) => s.modelSource);
  const url = useApp((s) => s.modelUrl);
  const presetId = useApp((s) => s.modelPresetId);
  const loading = useApp((s) => s.modelLoad.status === 'loading');
  const converting = useApp((s) => s.modelConvert.status === 'converting');
  const setSource = useApp((s) => s.setModelSource);
  const setUrl = useApp((s) => s.setModelUrl);
  const setPreset = useApp((s) => s.setModelPreset);
  const embeddedName = useApp((s) => s.embeddedName);
  const setEmbeddedName = useApp((s) => s.setEmbeddedName);
  const index = useApp((s) => s.embeddedIndex);
  const variants = index.status === 'ready' ? index.index.variants : [];
  const variant = variants.find((v) => v.name === embeddedName);
  const [over, setOver] = useState(false);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    void controller?.loadDroppedItems(e.dataTransfer.items);
  };
  const load = (
    <button type="button" className="primary" onClick={() => void controller?.loadSelectedModel()} disabled={loading || (source !== 'embedded' && url.trim() === '')} data-testid="model.load">
      Load
    </button>
  );

  return (
    <div className="model-source">
      <div role="radiogroup" aria-label="Model source" className="segmented">
        {SOURCES.map((s) => (
          <label key={s.id} className={source === s.id ? 'seg seg-on' : 'seg'}>
            <input type="radio" name="model-source" checked={source === s.id} onChange={() => setSource(s.id)} data-testid={`model.source.${s.id}`} />
            {s.label}
          </label>
        ))}
      </div>
      {source === 'embedded' && (
        <div className="row-actions">
          <select value={embeddedName} onChange={(e) => setEmbeddedName(e.target.value)} aria-label="Embedded model" data-testid="model.embedded">
            {variants.map((v) => (
              <option key={v.name} value={v.name}>{embeddedVariantLabel(v)}</option>
            ))}
            <option value={TINY_ROUTER_NAME}>{TINY_ROUTER_NAME} (test model, random weights)</option>
          </select>
          <span className="muted small">
            public/models/{embeddedName}: {variant !== undefined ? variant.summary : embeddedName === TINY_ROUTER_NAME ? 'random weights, a test model (its text is gibberish).' : 'a model folder.'}
          </span>
          {load}
        </div>
      )}
      {source === 'url' && (
        <div className="row-actions">
          <input className="grow" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://huggingface.co/<repo>/resolve/main/" aria-label="Model URL prefix" data-testid="model.url" />
          {load}
        </div>
      )}
      {source === 'preset' && (
        <div className="row-actions">
          <select value={presetId} onChange={(e) => { const p = ROUTER_R1_PRESETS.find((x) => x.id === e.target.value); if (p !== undefined) setPreset(p.id, presetUrlPrefix(p)); }} aria-label="Router-R1 preset" data-testid="model.preset">
            <option value="">Pick a checkpoint…</option>
            {ROUTER_R1_PRESETS.map((p) => (
              <option key={p.id} value={p.id}>{p.repo}</option>
            ))}
          </select>
          <input className="grow" value={url} onChange={(e) => setUrl(e.target.value)} aria-label="Preset URL prefix" data-testid="model.presetUrl" />
          {load}
          <button type="button" onClick={() => void controller?.convertUrlCheckpoint()} disabled={converting || url.trim() === ''} data-testid="model.preset.convert">
            Convert
          </button>
          <p className="muted small">Needs network access to huggingface.co. The released checkpoints are safetensors: Convert turns one into a 4-bit ONNX model in the model cache (in the background; about 6 GB are read), then Use it loads it. Load works for a URL that already holds an ONNX model folder.</p>
        </div>
      )}
      {source === 'convert' && <ConvertCheckpointSource />}
      {source === 'files' && (
        <div className={`drop-zone${over ? ' drop-over' : ''}`} onDragOver={(e) => { e.preventDefault(); setOver(true); }} onDragLeave={() => setOver(false)} onDrop={onDrop} data-testid="model.drop">
          <span>Drop a model folder here, or</span>
          <label className="file-button">
            Pick a folder…
            <input type="file" {...{ webkitdirectory: '' }} multiple onChange={(e) => e.target.files !== null && void controller?.loadPickedFiles(e.target.files)} data-testid="model.files.folder" />
          </label>
          <label className="file-button">
            Pick files…
            <input type="file" multiple onChange={(e) => e.target.files !== null && void controller?.loadPickedFiles(e.target.files)} data-testid="model.files.loose" />
          </label>
        </div>
      )}
    </div>
  );
}
