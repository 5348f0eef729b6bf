/**
 * The checkpoints stored in this browser (IndexedDB), newest first: pick one to resume, export it as a
 * file (one .safetensors: weights, AdamW state, and the JSON state in its metadata), import a file, use
 * a checkpoint as the episode policy (its q4 model folder), or delete it.
 */
import { useRef } from 'react';
import { useController } from '../session/controllerContext';
import { useApp } from '../store/useApp';
import { formatBytes } from './formatBytes';

export function TrainCheckpoints() {
  const controller = useController();
  const list = useApp((s) => s.trainCheckpoints);
  const selected = useApp((s) => s.trainSelectedCheckpoint);
  const select = useApp((s) => s.selectTrainCheckpoint);
  const busy = useApp((s) => s.trainStatus === 'running' || s.trainStatus === 'starting' || s.trainStatus === 'pausing');
  const fileRef = useRef<HTMLInputElement>(null);
  const onImport = async (file: File | undefined) => {
    if (file === undefined) return;
    await controller?.importTrainCheckpoint(file);
    if (fileRef.current !== null) fileRef.current.value = '';
  };

  return (
    <section className="train-checkpoints" aria-label="Checkpoints" data-testid="train.checkpoints">
      <h3 className="label">Checkpoints (this browser)</h3>
      {list.length === 0 ? (
        <p className="muted small" data-testid="train.checkpoints.empty">
          None yet: a run saves one every N steps, on pause and at the end.
        </p>
      ) : (
        <ul className="checkpoint-list">
          {list.map((c, i) => (
            <li key={c.id} data-testid={`train.checkpoint.${i}`} data-id={c.id}>
              <label>
                <input type="radio" name="train-checkpoint" checked={selected === c.id} onChange={() => select(c.id)} data-testid={`train.checkpoint.${i}.select`} />
                <strong>{c.runId}</strong> step {c.step}/{c.totalSteps} · {c.reason} · {c.policyName} · seed {c.seed}
                {c.lastReward !== null && <> · reward {c.lastReward.toFixed(3)}</>} · {formatBytes(c.tensorBytes)}
              </label>
              <span className="row-actions">
                <button type="button" onClick={() => void controller?.exportTrainCheckpoint(c.id)} data-testid={`train.checkpoint.${i}.export`}>
                  Export
                </button>
                <button type="button" onClick={() => void controller?.useCheckpointAsPolicy(c.id)} disabled={busy} data-testid={`train.checkpoint.${i}.use`} title="Load it as the model policy (q4) and switch to Model policy">
                  Use as policy
                </button>
                <button type="button" onClick={() => void controller?.deleteTrainCheckpoint(c.id)} disabled={busy} data-testid={`train.checkpoint.${i}.delete`}>
                  Delete
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      <label className="file-button">
        Import checkpoint…
        <input ref={fileRef} type="file" accept=".safetensors" onChange={(e) => void onImport(e.target.files?.[0])} data-testid="train.import" />
      </label>
    </section>
  );
}
