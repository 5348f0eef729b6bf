/** The model load: stage, file, bytes and percent while it runs (with Cancel), the loaded model, or why it failed. */
import { useController } from '../session/controllerContext';
import { useApp } from '../store/useApp';
import { formatBytes } from './formatBytes';

export function ModelLoadStatus() {
  const controller = useController();
  const load = useApp((s) => s.modelLoad);
  const info = useApp((s) => s.modelInfo);
  if (load.status === 'loading') {
    const percent = load.totalBytes !== null && load.totalBytes > 0 ? Math.round((100 * load.loadedBytes) / load.totalBytes) : null;
    return (
      <div className="model-progress" data-testid="model.progress">
        <span data-testid="model.progress.stage">{load.stage}</span>
        {load.file !== null && (
          <span className="muted small" data-testid="model.progress.file">
            {' '}· {load.file} {formatBytes(load.loadedBytes)}
            {load.totalBytes !== null && ` / ${formatBytes(load.totalBytes)}`}
          </span>
        )}
        <progress max={100} value={percent ?? undefined} data-testid="model.progress.bar" />
        {percent !== null && <span data-testid="model.progress.percent">{percent}%</span>}
        <button type="button" onClick={() => controller?.cancelModelLoad()} data-testid="model.cancel">
          Cancel
        </button>
      </div>
    );
  }
  return (
    <>
      {load.status === 'failed' && (
        <p className="error-box" role="alert" data-testid="model.error">
          {load.error}
        </p>
      )}
      {info !== null && (
        <p className="small" data-testid="model.loaded">
          Loaded <strong>{info.name}</strong> ({info.config.modelType}, {info.config.layers} layers, {info.onnx.variant}) · template <code>{info.template}</code>
          {info.templateFrom === 'default' && ' (default for its family: no router.json)'} · on <strong data-testid="model.loaded.ep">{info.device.ep}</strong>
        </p>
      )}
    </>
  );
}
