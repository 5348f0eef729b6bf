/**
 * "Convert a checkpoint": a Hugging Face safetensors checkpoint (Qwen2 or Llama) from
 * picked or dropped files, or from a URL prefix (a Router-R1 preset's `resolve/main/` included), turned
 * into a q4 model folder in the model cache by the engine worker. `ConvertStatus` shows the progress
 * (tensor n of N, bytes) with Cancel, then "Use it" (loads the cached folder as the policy), or the error.
 */
import { useState, type DragEvent } from 'react';
import { useController } from '../session/controllerContext';
import { useApp } from '../store/useApp';
import { formatBytes } from './formatBytes';

export function ConvertCheckpointSource() {
  const controller = useController();
  const url = useApp((s) => s.modelUrl);
  const setUrl = useApp((s) => s.setModelUrl);
  const converting = useApp((s) => s.modelConvert.status === 'converting');
  const [over, setOver] = useState(false);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    void controller?.convertDroppedItems(e.dataTransfer.items);
  };
  return (
    <div className="convert-source" role="group" aria-labelledby="convert-heading" data-testid="convert.panel">
      <p id="convert-heading" className="small">
        Convert a Hugging Face safetensors checkpoint (Qwen2 or Llama: <code>config.json</code>, <code>*.safetensors</code>, <code>tokenizer.json</code>,{' '}
        <code>tokenizer_config.json</code>) to a 4-bit ONNX model in the model cache. It runs in the background worker.
      </p>
      <div className={`drop-zone${over ? ' drop-over' : ''}`} onDragOver={(e) => { e.preventDefault(); setOver(true); }} onDragLeave={() => setOver(false)} onDrop={onDrop} data-testid="convert.drop">
        <span>Drop a checkpoint folder here, or</span>
        <label className="file-button">
          Pick a checkpoint folder…
          <input type="file" {...{ webkitdirectory: '' }} multiple disabled={converting} onChange={(e) => { if (e.target.files !== null) void controller?.convertPickedFiles(e.target.files); e.target.value = ''; }} data-testid="convert.files.folder" />
        </label>
        <label className="file-button">
          Pick checkpoint files…
          <input type="file" multiple accept=".json,.safetensors" disabled={converting} onChange={(e) => { if (e.target.files !== null) void controller?.convertPickedFiles(e.target.files); e.target.value = ''; }} data-testid="convert.files.loose" />
        </label>
      </div>
      <form className="row-actions" onSubmit={(e) => { e.preventDefault(); void controller?.convertUrlCheckpoint(); }}>
        <input className="grow" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://huggingface.co/<repo>/resolve/main/" aria-label="Checkpoint URL prefix" data-testid="convert.url" />
        <button type="submit" className="primary" disabled={converting || url.trim() === ''} data-testid="convert.url.start">
          Convert from URL
        </button>
      </form>
    </div>
  );
}

/** Progress with Cancel while converting; "Use it" when done; the error (what to do) when it failed. */
export function ConvertStatus() {
  const controller = useController();
  const c = useApp((s) => s.modelConvert);
  const loading = useApp((s) => s.modelLoad.status === 'loading');
  if (c.status === 'idle') return null;
  if (c.status === 'converting') {
    const percent = c.totalBytes > 0 ? Math.round((100 * c.bytesRead) / c.totalBytes) : null;
    return (
      <div className="model-progress" role="status" aria-live="polite" data-testid="convert.progress">
        <span data-testid="convert.progress.stage">{c.stage}</span>
        {c.tensorCount > 0 && (
          <span className="muted small" data-testid="convert.progress.tensors">
            {' '}· tensor {c.tensorIndex} of {c.tensorCount} · {formatBytes(c.bytesRead)} / {formatBytes(c.totalBytes)}
          </span>
        )}
        <progress max={100} value={percent ?? undefined} aria-label="Conversion progress" data-testid="convert.progress.bar" />
        {percent !== null && <span data-testid="convert.progress.percent">{percent}%</span>}
        <button type="button" onClick={() => controller?.cancelConvert()} data-testid="convert.cancel">
          Cancel conversion
        </button>
      </div>
    );
  }
  if (c.status === 'failed') {
    return (
      <p className="error-box" role="alert" data-testid="convert.error">
        Conversion failed: {c.error}
      </p>
    );
  }
  const bytes = c.model.files.reduce((n, f) => n + f.bytes, 0);
  return (
    <div className="row-actions" role="status" data-testid="convert.done">
      <span className="small">
        Converted <strong>{c.model.name}</strong> ({formatBytes(bytes)}, {c.model.files.length} files) into the model cache.
      </span>
      <button type="button" className="primary" onClick={() => void controller?.useConvertedModel()} disabled={loading} data-testid="convert.use">
        Use it
      </button>
    </div>
  );
}
