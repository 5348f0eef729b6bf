/**
 * Start / Pause / Single step / Resume, the run's status and step counter, and where it runs (the
 * device report: wasm threads, or WebGPU with the CPU fallback of ops it has no kernel for).
 */
import { useController } from '../session/controllerContext';
import { trainFormErrors } from '../session/trainActions';
import { useApp } from '../store/useApp';

export function TrainControls() {
  const controller = useController();
  const status = useApp((s) => s.trainStatus);
  const step = useApp((s) => s.trainStep);
  const total = useApp((s) => s.trainTotalSteps);
  const runId = useApp((s) => s.trainRunId);
  const error = useApp((s) => s.trainError);
  const device = useApp((s) => s.trainDevice);
  const selected = useApp((s) => s.trainSelectedCheckpoint);
  const formOk = useApp((s) => trainFormErrors(s.trainForm, s.modelInfo, '').length === 0);
  const busy = status === 'running' || status === 'starting' || status === 'pausing';
  const none = controller === null;

  return (
    <div className="train-controls">
      <div className="row-actions">
        <button type="button" className="primary" onClick={() => void controller?.startTraining()} disabled={none || busy || !formOk} data-testid="train.start" title="A new run from the configuration">
          Start
        </button>
        <button type="button" onClick={() => void controller?.pauseTraining()} disabled={none || (status !== 'running' && status !== 'starting')} data-testid="train.pause" title="Stop at the next rollout or step boundary (an unfinished step is dropped and repeated on resume) and save a 'pause' checkpoint">
          Pause
        </button>
        <button type="button" onClick={() => void controller?.stepTraining()} disabled={none || busy || (selected === null && !formOk)} data-testid="train.stepOnce" title="One step (of the selected checkpoint's run, else a new run), then pause">
          Single step
        </button>
        <button type="button" onClick={() => void controller?.resumeTraining()} disabled={none || busy || selected === null} data-testid="train.resume" title="Continue the selected checkpoint (also after a reload)">
          Resume
        </button>
      </div>
      <p className="train-status" data-testid="train.status" data-status={status}>
        <span className="label">Status</span> {status}
        {runId !== null && <> · run {runId}</>} · step <strong data-testid="train.step">{step}</strong>
        {total > 0 && <> / {total}</>}
      </p>
      {device !== null && (
        <p className="muted small" data-testid="train.device" data-ep={device.report.ep}>
          <span className="label">Device</span> {device.note}
        </p>
      )}
      {error !== null && (
        <p className="error-box" role="alert" data-testid="train.error">
          {error}
        </p>
      )}
    </div>
  );
}
