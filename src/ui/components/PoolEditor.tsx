/**
 * The pool editor: a preset (the offline pool, simulated from recorded scores; the paper's six models;
 * LLMRouter's nine), then per model the name the policy writes, its provider, the provider's model id
 * and prices. Applies to the next episode. Providers and keys are below (ProviderSettings).
 */
import { OFFLINE_PROVIDER, type PoolModelRecord } from '../../core';
import { useController } from '../session/controllerContext';
import type { PoolPresetId } from '../store/poolSlice';
import { useApp } from '../store/useApp';
import { ProviderSettings } from './ProviderSettings';

const PRESETS: { id: PoolPresetId; label: string }[] = [
  { id: 'offline', label: 'Offline pool — simulated from recorded scores (no keys)' },
  { id: 'paper', label: "The paper's six models (your keys)" },
  { id: 'llmrouter', label: "LLMRouter's nine models (your keys)" },
];

const num = (v: string): number => (v.trim() === '' || !Number.isFinite(Number(v)) ? 0 : Math.max(0, Number(v)));

export function PoolEditor() {
  const controller = useController();
  const presetId = useApp((s) => s.presetId);
  const models = useApp((s) => s.models);
  const providers = useApp((s) => s.providers);
  const reference = useApp((s) => s.referenceData);
  const updateModel = useApp((s) => s.updateModel);
  const removeModel = useApp((s) => s.removeModel);
  const addModel = useApp((s) => s.addModel);
  const blank: PoolModelRecord = { name: `Model-${models.length + 1}`, provider: providers[0]?.id ?? 'openrouter', providerModelId: '', inputPer1M: 0, outputPer1M: 0 };

  return (
    <section className="panel pool-editor" aria-labelledby="pool-editor-heading" data-testid="pool.editor">
      <h2 id="pool-editor-heading" className="panel-title">
        Candidate pool (next episode)
      </h2>
      <select value={presetId} onChange={(e) => controller?.selectPreset(e.target.value as PoolPresetId)} data-testid="pool.preset" aria-label="Pool preset">
        {PRESETS.map((p) => (
          <option key={p.id} value={p.id} disabled={p.id !== 'offline' && reference.status !== 'ready'}>
            {p.label}
          </option>
        ))}
        {presetId === 'custom' && <option value="custom">Edited pool</option>}
      </select>
      {reference.status === 'failed' && <p className="error-text small">Presets unavailable: {reference.error}</p>}
      <ul className="pool-models" aria-label="Pool models">
        {models.map((m, i) => (
          <li key={i} className="pool-model" data-testid={`pool.model.${i}`}>
            <input aria-label="Name the policy writes" title="Name the policy writes" value={m.name} onChange={(e) => updateModel(i, { name: e.target.value })} data-testid={`pool.model.${i}.name`} />
            <select aria-label="Provider" value={m.provider} onChange={(e) => updateModel(i, { provider: e.target.value, simulated: e.target.value === OFFLINE_PROVIDER })} data-testid={`pool.model.${i}.provider`}>
              <option value={OFFLINE_PROVIDER}>offline (simulated)</option>
              {providers.map((p) => <option key={p.id} value={p.id}>{p.label}</option>)}
            </select>
            <button type="button" className="icon" onClick={() => removeModel(i)} aria-label={`Remove ${m.name}`} data-testid={`pool.model.${i}.remove`}>×</button>
            <input aria-label="Provider model id" title="Provider model id" placeholder="provider model id" value={m.providerModelId} onChange={(e) => updateModel(i, { providerModelId: e.target.value })} data-testid={`pool.model.${i}.modelId`} />
            <span className="prices" title="USD per 1M tokens, input / output">
              $/1M
              <input aria-label="Input price per 1M" type="number" min={0} step="any" value={m.inputPer1M} onChange={(e) => updateModel(i, { inputPer1M: num(e.target.value) })} data-testid={`pool.model.${i}.in`} />
              <input aria-label="Output price per 1M" type="number" min={0} step="any" value={m.outputPer1M} onChange={(e) => updateModel(i, { outputPer1M: num(e.target.value) })} data-testid={`pool.model.${i}.out`} />
            </span>
            {m.simulated === true ? <span className="muted small">simulated</span> : <span />}
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => addModel(blank)} data-testid="pool.add">
        + Add model
      </button>
      <ProviderSettings />
    </section>
  );
}
