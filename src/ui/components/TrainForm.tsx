/**
 * The training configuration: policy (the tiny-router, the embedded router-nano policies and baselines, the
 * two warm-ups mixed 50/50, or the loaded model), pool and split (fixed: the offline pool's train split), α, G,
 * questions per step, learning rate, KL coefficient, steps, seed, checkpoint interval, rollout temperature and
 * device; "α-shift demo" fills it with cli/train/examples/alpha-shift.json's values (ALPHA_SHIFT_PRESET).
 * Every problem core's validateTrainConfig finds is listed under the form; Start stays disabled.
 */
import { useState } from 'react';
import { TINY_ROUTER_NAME } from '../../core';
import { trainFormErrors } from '../session/trainActions';
import type { EmbeddedIndexState } from '../store/modelSlice';
import { useApp } from '../store/useApp';
import { ALPHA_SHIFT_PRESET, TRAIN_POLICY_LOADED, TRAIN_POLICY_WARMUP_MIX, WARMUP_MIX, type TrainForm as Form } from '../store/trainSlice';

type NumberField = Exclude<{ [K in keyof Form]: Form[K] extends number ? K : never }[keyof Form], 'alpha'>;

const FIELDS: { key: NumberField; label: string; step: string; hint: string }[] = [
  { key: 'groupSize', label: 'G (rollouts per question)', step: '1', hint: 'GRPO needs at least 2: the group mean is the baseline' },
  { key: 'batch', label: 'Questions per step', step: '1', hint: 'the reference uses 64; small keeps a browser step to seconds' },
  { key: 'lr', label: 'Learning rate', step: 'any', hint: 'AdamW, constant' },
  { key: 'klCoef', label: 'KL coefficient', step: 'any', hint: 'k3 KL to the starting policy (reference 0.001)' },
  { key: 'steps', label: 'Steps', step: '1', hint: 'RL steps in total' },
  { key: 'seed', label: 'Seed', step: '1', hint: 'every random choice of the run forks from it' },
  { key: 'checkpointEvery', label: 'Checkpoint every N steps', step: '1', hint: '0: only on pause and at the end' },
  { key: 'temperature', label: 'Rollout temperature', step: 'any', hint: 'RL explores at 1 (the reference); top-p and top-k come from the run\'s sampling settings' },
];

/**
 * The embedded policies the form offers besides the tiny-router: the index's variants and their warm-up
 * baselines (public/models/embedded.json), once the index is loaded; none before (or when it failed).
 */
export function embeddedTrainPolicies(index: EmbeddedIndexState): { name: string; label: string }[] {
  if (index.status !== 'ready') return [];
  const alpha = (a: number): string => `α ${a}`;
  return [
    ...index.index.variants.map((v) => ({ name: v.name, label: `trained policy, ${alpha(v.alpha)}` })),
    ...(index.index.warmups ?? []).map((w) => ({ name: w.name, label: `warm-up of ${w.of}, before RL` })),
  ].filter((p) => p.name !== TINY_ROUTER_NAME);
}

/**
 * Whether the form offers the two warm-ups mixed (TRAIN_POLICY_WARMUP_MIX: the α demo's start, routing not
 * yet decided, as cli/train/examples/alpha-shift.json): when the index lists both warm-ups.
 */
export function warmupMixOffered(index: EmbeddedIndexState): boolean {
  if (index.status !== 'ready') return false;
  const names = new Set((index.index.warmups ?? []).map((w) => w.name));
  return names.has(WARMUP_MIX.name) && names.has(WARMUP_MIX.with);
}

export function TrainForm() {
  const form = useApp((s) => s.trainForm);
  const set = useApp((s) => s.setTrainForm);
  const loaded = useApp((s) => s.modelInfo);
  const busy = useApp((s) => s.trainStatus === 'running' || s.trainStatus === 'starting' || s.trainStatus === 'pausing');
  const index = useApp((s) => s.embeddedIndex);
  const embedded = embeddedTrainPolicies(index);
  const mix = warmupMixOffered(index);
  const errors = trainFormErrors(form, loaded, '');
  const num = (v: string): number => (v.trim() === '' ? Number.NaN : Number(v));
  // the number inputs keep what is typed (uncontrolled: "1e-" is not a number yet); a preset remounts them
  const [filled, setFilled] = useState(0);

  return (
    <fieldset className="train-form" disabled={busy} data-testid="train.form">
      <legend>Configuration</legend>
      <label>
        Policy{' '}
        <select value={form.policy} onChange={(e) => set({ policy: e.target.value as Form['policy'] })} data-testid="train.form.policy">
          <option value={TINY_ROUTER_NAME}>{TINY_ROUTER_NAME} (embedded, random weights)</option>
          {embedded.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name} (embedded, {p.label})
            </option>
          ))}
          {mix && (
            <option value={TRAIN_POLICY_WARMUP_MIX}>
              warm-ups mixed (routing not yet decided; the α demo)
            </option>
          )}
          <option value={TRAIN_POLICY_LOADED}>loaded model{loaded === null ? ' (none loaded)' : ` (${loaded.name})`}</option>
        </select>
      </label>
      {mix && (
        <div className="row-actions">
          <button
            type="button"
            onClick={() => {
              set({ ...ALPHA_SHIFT_PRESET });
              setFilled((n) => n + 1);
            }}
            title="Fill the form as cli/train/examples/alpha-shift.json: the warm-ups mixed 50/50, α 0.9, G 4 × 8 questions, lr 1e-4, 24 steps, seed 3, temperature 1. The cost per question falls within a few dozen steps."
            data-testid="train.form.preset.alphaShift"
          >
            α-shift demo (warm-ups mixed, α 0.9)
          </button>
        </div>
      )}
      <p className="muted small" data-testid="train.form.data">
        Pool: offline (simulated from recorded scores) · dataset: the offline bank, split <strong>train</strong> · template: compact
      </p>
      <label>
        α (cost weight) <output data-testid="train.form.alphaValue">{form.alpha.toFixed(2)}</output>
        <input type="range" min={0} max={1} step={0.05} value={form.alpha} onChange={(e) => set({ alpha: Number(e.target.value) })} data-testid="train.form.alpha" />
      </label>
      <div className="train-form-grid">
        {FIELDS.map((f) => (
          <label key={`${f.key}.${filled}`} title={f.hint}>
            {f.label}
            <input type="number" step={f.step} defaultValue={String(form[f.key])} onChange={(e) => set({ [f.key]: num(e.target.value) })} data-testid={`train.form.${f.key}`} />
          </label>
        ))}
        <label title="GRPO: the group's mean reward is the baseline (no critic). PPO: a value head is trained beside the policy and advantages come from GAE">
          Algorithm
          <select value={form.algorithm} onChange={(e) => set({ algorithm: e.target.value as Form['algorithm'] })} data-testid="train.form.algorithm">
            <option value="grpo">GRPO</option>
            <option value="ppo">PPO (value head, GAE)</option>
          </select>
        </label>
        <label title="wasm by default; WebGPU when the browser has an adapter (ops without a WebGPU kernel fall back to the CPU)">
          Device
          <select value={form.device} onChange={(e) => set({ device: e.target.value as Form['device'] })} data-testid="train.form.device">
            <option value="wasm">wasm</option>
            <option value="auto">auto (WebGPU on a hardware GPU, else wasm)</option>
            <option value="webgpu">WebGPU</option>
          </select>
        </label>
      </div>
      {errors.length > 0 && (
        <ul className="error-box" role="alert" data-testid="train.form.errors">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
