/**
 * Who drives the episode: you (the turn composer) or a replay (the project's example, or a trajectory
 * file). Also exports the shown trajectory as JSON (checked for keys first, like every export).
 */
import { useRef } from 'react';
import { useController } from '../session/controllerContext';
import { useApp } from '../store/useApp';
import type { PolicyMode } from '../store/setupSlice';

const MODES: { id: PolicyMode; label: string; hint: string }[] = [
  { id: 'human', label: 'You are the router', hint: 'write each think / route / answer step yourself; the real environment runs it' },
  { id: 'replay', label: 'Replay', hint: 'step through a recorded trajectory' },
  { id: 'model', label: 'Model policy', hint: 'an ONNX router policy in your browser (WebGPU or wasm) writes each turn' },
  { id: 'train', label: 'Train', hint: 'fine-tune the router with RL (GRPO) in your browser and watch the charts' },
];

export function ModeSwitch() {
  const mode = useApp((s) => s.mode);
  const setMode = useApp((s) => s.setMode);
  // The Evaluation view is a flag of its own (evalSlice): it shows over the replay of its episodes.
  const evalOpen = useApp((s) => s.evalViewOpen);
  const openEval = useApp((s) => s.openEvalView);
  const hasTrajectory = useApp((s) => s.trajectory !== null);
  const exportError = useApp((s) => s.trajectoryExportError);
  const controller = useController();
  const fileRef = useRef<HTMLInputElement>(null);

  const onImport = async (file: File | undefined) => {
    if (file === undefined || controller === null) return;
    controller.importTrajectory(await file.text());
    if (fileRef.current !== null) fileRef.current.value = '';
  };
  const onExport = () => controller?.exportTrajectoryFile();

  return (
    <div className="mode-switch">
      <div role="radiogroup" aria-label="Who drives the episode" className="segmented">
        {MODES.map((m) => (
          <label key={m.id} className={mode === m.id && !evalOpen ? 'seg seg-on' : 'seg'} title={m.hint}>
            <input type="radio" name="mode" value={m.id} checked={mode === m.id && !evalOpen} onChange={() => (openEval(false), setMode(m.id))} data-testid={`mode.${m.id}`} />
            {m.label}
          </label>
        ))}
        <label className={evalOpen ? 'seg seg-on' : 'seg'} title="benchmark methods on a dataset: EM, F1, cost, Pareto front, routing share">
          <input type="radio" name="mode" value="eval" checked={evalOpen} onChange={() => (openEval(true), setMode('replay'))} data-testid="mode.eval" />
          Evaluate
        </label>
      </div>
      {mode === 'replay' && (
        <div className="row-actions">
          <button type="button" onClick={() => void controller?.replayExample()} disabled={controller === null} data-testid="replay.example">
            Replay the example
          </button>
          <label className="file-button">
            Import trajectory JSON…
            <input ref={fileRef} type="file" accept=".json,application/json" onChange={(e) => void onImport(e.target.files?.[0])} data-testid="replay.import" />
          </label>
        </div>
      )}
      <button type="button" className="export" onClick={onExport} disabled={!hasTrajectory} data-testid="trajectory.export" title="Download the shown trajectory as JSON (never contains keys)">
        Export JSON
      </button>
      {exportError !== null && (
        <p className="error-box small" role="alert" data-testid="trajectory.export.error">
          {exportError}
        </p>
      )}
    </div>
  );
}
