/**
 * Start / Pause / Resume / Cancel, the progress bar with ETA and running metrics per method, the cost
 * estimate of a live run waiting for confirmation, Sweep, the state file, and why a run stopped.
 */
import { useRef } from 'react';
import { useController } from '../../session/controllerContext';
import { useApp } from '../../store/useApp';
import { duration, pct } from './evalFormat';
import { EvalEstimateBox } from './EvalEstimateBox';

export function EvalRunControls() {
  const controller = useController();
  const status = useApp((s) => s.evalStatus);
  const progress = useApp((s) => s.evalProgress);
  const error = useApp((s) => s.evalError);
  const resumable = useApp((s) => s.evalResumable);
  const sweep = useApp((s) => s.evalSweep);
  const fileRef = useRef<HTMLInputElement>(null);
  const busy = status === 'running' || status === 'pausing' || status === 'estimating' || status === 'confirming';
  const onFile = async (file: File | undefined) => {
    if (file !== undefined) controller?.loadStateFile(await file.text());
    if (fileRef.current !== null) fileRef.current.value = '';
  };
  return (
    <div className="eval-controls" data-testid="eval.controls">
      <div className="row-actions">
        <button type="button" className="primary" disabled={controller === null || busy} onClick={() => void controller?.startEvaluation()} data-testid="eval.start">
          Start
        </button>
        <button type="button" disabled={status !== 'running'} onClick={() => controller?.pauseEvaluation()} data-testid="eval.pause">
          Pause
        </button>
        <button type="button" disabled={busy || resumable === null} onClick={() => void controller?.resumeEvaluation()} data-testid="eval.resume" title={resumable === null ? 'Nothing to resume' : `${resumable.done}/${resumable.total} episodes done`}>
          Resume{resumable === null ? '' : ` (${resumable.done}/${resumable.total})`}
        </button>
        <button type="button" disabled={status !== 'running' && status !== 'pausing'} onClick={() => controller?.cancelEvaluation()} data-testid="eval.cancel">
          Cancel
        </button>
        <button type="button" disabled={controller === null || busy} onClick={() => void controller?.sweep()} data-testid="eval.sweep" title="Run a small grid (α ∈ {0, 0.5, 0.9} for the loaded policy, else for the embedded policy by α when it is checked, else max calls ∈ {1, 2, 3} for the cascade) and draw its curve">
          Sweep
        </button>
        <button type="button" disabled={resumable === null} onClick={() => controller?.saveStateFile()} data-testid="eval.state.save" title="Download the paused run's state (no keys) to resume it elsewhere">
          Save state
        </button>
        <label className="file-button">
          Load state…
          <input ref={fileRef} type="file" accept=".json,application/json" onChange={(e) => void onFile(e.target.files?.[0])} data-testid="eval.state.load" />
        </label>
        <span className="muted small" data-testid="eval.status" data-status={status}>
          {status}
          {sweep !== null && ` · sweep ${sweep.parameter}: ${sweep.points.length} point(s), ${sweep.status}`}
        </span>
      </div>
      {progress !== null && (
        <div className="eval-progress" data-testid="eval.progress" data-done={progress.done} data-total={progress.total}>
          <progress max={progress.total} value={progress.done} />
          <span className="small">
            {progress.done}/{progress.total} episodes · {duration(progress.elapsedMs)} elapsed{status === 'running' && ` · ETA ${duration(progress.etaMs)}`}
          </span>
          <span className="muted small" data-testid="eval.running">
            {Object.entries(progress.running).map(([m, r]) => `${m}: EM ${pct(r.em)}, ${r.calls.toFixed(2)} calls`).join(' · ')}
          </span>
        </div>
      )}
      <EvalEstimateBox />
      {error !== null && (
        <p className="error-box" role="alert" data-testid="eval.error">
          {error}
          {resumable !== null && ' — what is done is kept; Resume continues from there.'}
        </p>
      )}
    </div>
  );
}
