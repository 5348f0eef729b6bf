/**
 * The model policy's setup: the source and Load (with progress and Cancel), a checkpoint conversion's progress, the device panel, and the
 * generation settings of the next episode (tokens per turn, temperature, seed, cost bias).
 */
import { useApp } from '../store/useApp';
import { ConvertStatus } from './ConvertCheckpoint';
import { DevicePanel } from './DevicePanel';
import { ModelLoadStatus } from './ModelLoadStatus';
import { ModelSourcePicker } from './ModelSourcePicker';

const num = (v: string, fallback: number): number => (v.trim() === '' || !Number.isFinite(Number(v)) ? fallback : Number(v));

export function ModelPanel() {
  const maxNew = useApp((s) => s.modelMaxNewTokens);
  const bias = useApp((s) => s.costBiasStrength);
  const runConfig = useApp((s) => s.runConfig);
  const setMaxNew = useApp((s) => s.setModelMaxNewTokens);
  const setBias = useApp((s) => s.setCostBiasStrength);
  const setRunConfig = useApp((s) => s.setRunConfig);
  const sampling = runConfig.sampling;
  const setSampling = (patch: Partial<typeof sampling>) => setRunConfig({ ...runConfig, sampling: { ...sampling, ...patch } });

  return (
    <div className="model-panel" data-testid="model.panel">
      <ModelSourcePicker />
      <ConvertStatus />
      <ModelLoadStatus />
      <DevicePanel />
      <div className="generation-settings small">
        <label className="field-inline">
          Max new tokens per turn
          <input type="number" min={1} value={maxNew} onChange={(e) => setMaxNew(num(e.target.value, maxNew))} data-testid="model.maxNewTokens" />
        </label>
        <label className="field-inline">
          Temperature
          <input type="number" min={0} max={2} step={0.1} value={sampling.temperature} onChange={(e) => setSampling({ temperature: Math.min(2, Math.max(0, num(e.target.value, sampling.temperature))) })} data-testid="model.temperature" />
        </label>
        <label className="field-inline">
          Seed
          <input type="number" value={sampling.seed} onChange={(e) => setSampling({ seed: Math.trunc(num(e.target.value, sampling.seed)) })} data-testid="model.seed" />
        </label>
        <label className="field-inline" title="Lowers the logits of expensive models' names while the policy writes a route (logit units per unit of normalised price); the α control sets it to 4α">
          Cost bias λ
          <input type="range" min={0} max={10} step={0.1} value={bias} onChange={(e) => setBias(Number(e.target.value))} data-testid="model.costBias" />
          <span>{bias}</span>
        </label>
      </div>
    </div>
  );
}
