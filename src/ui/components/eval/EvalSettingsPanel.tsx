/**
 * Settings of the next evaluation run: methods (each pool model alone, the baselines, the teacher
 * cascade at α 0 and 0.8, the embedded policies listed in embedded.json, their weights before RL
 * (embedded.json `warmups`: the same weights as a plain prompted router, no RL), the embedded policy by
 * α — the variant the α slider picks, never a warm-up —, the loaded model policy),
 * dataset, question limit, seed, and the sliders (α, max calls, max spend per question). A change
 * applies to the next run. The paper's unseen models can be added to the pool here.
 */
import { DEFAULT_TEACHER_ALPHAS, QA_DATASETS, TEACHER_METHOD_LABEL, teacherMethodId, variantForAlpha } from '../../../core';
import { EMBEDDED_BY_ALPHA_ID, warmupMethodLabel } from '../../session/evalMethods';
import { useApp } from '../../store/useApp';
import { EvalSliders } from './EvalSliders';
import { EvalUnseenModels } from './EvalUnseenModels';

const BASELINES: { id: string; label: string; hint: string }[] = [
  { id: 'random', label: 'random', hint: 'one model drawn with the seed' },
  { id: 'cheapest', label: 'cheapest', hint: 'the cheapest model' },
  { id: 'largest', label: 'largest', hint: 'the largest model' },
  { id: 'cascade', label: 'cascade', hint: 'cheapest first, escalate while the reply cannot help' },
  { id: 'oracle', label: 'oracle', hint: 'the cheapest model recorded as correct (offline pool only)' },
  ...DEFAULT_TEACHER_ALPHAS.map((alpha) => ({
    id: teacherMethodId(alpha),
    label: `${TEACHER_METHOD_LABEL} α ${alpha}`,
    hint:
      alpha < 0.5
        ? 'the embedded policies\' teacher at α 0: cheapest first, escalate on "cannot help", confirm an answer with a larger model'
        : `the embedded policies' teacher at α ${alpha}: cheapest first, escalate on "cannot help", stop at the first answer`,
  })),
];

export function EvalSettingsPanel() {
  const settings = useApp((s) => s.evalSettings);
  const set = useApp((s) => s.setEvalSettings);
  const toggle = useApp((s) => s.toggleEvalMethod);
  const models = useApp((s) => s.models);
  const modelName = useApp((s) => s.modelInfo?.name ?? null);
  const embedded = useApp((s) => s.evalEmbedded);
  const byAlpha = embedded.status === 'ready' ? variantForAlpha(embedded, settings.alpha) : null;
  const offlineCount = useApp((s) => (s.questionLists['offline']?.status === 'ready' ? s.questionLists['offline'].items.length : null));
  const methods = [
    ...models.map((m) => ({ id: `single:${m.name}`, label: m.name, hint: `${m.name} alone (direct answer)` })),
    ...BASELINES,
    ...(embedded.status === 'ready' ? embedded.variants.map((v) => ({ id: `policy:${v.name}`, label: `${v.name} (α ${v.alpha})`, hint: `embedded policy, greedy: ${v.summary}` })) : []),
    ...(embedded.status === 'ready'
      ? (embedded.warmups ?? []).map((w) => ({
          id: `policy:${w.name}`,
          label: warmupMethodLabel(w),
          hint: `the same weights as ${w.of} before RL (its supervised warm-up alone), greedy, no cost bias: a plain prompted router, to show what RL added`,
        }))
      : []),
    ...(byAlpha === null
      ? []
      : [
          {
            id: `policy:${EMBEDDED_BY_ALPHA_ID}`,
            label: `embedded policy by α (${byAlpha.name})`,
            hint: `the embedded variant trained for the nearest α (now ${byAlpha.name}), greedy, with the cost-aware decoding bias λ = 4α: the α slider switches it`,
          },
        ]),
    ...(modelName === null ? [] : [{ id: 'policy:loaded', label: `policy: ${modelName}`, hint: 'the loaded model policy' }]),
  ];
  const qa = QA_DATASETS.some((d) => d.id === settings.dataset);
  return (
    <div className="eval-settings" data-testid="eval.settings">
      <fieldset className="eval-methods">
        <legend>Methods</legend>
        {methods.map((m) => (
          <label key={m.id} title={m.hint} className="eval-method">
            <input type="checkbox" title={m.hint} checked={settings.methods.includes(m.id)} onChange={(e) => toggle(m.id, e.target.checked)} data-testid={`eval.method.${m.id}`} />
            {m.label}
          </label>
        ))}
      </fieldset>
      {embedded.status === 'failed' && (
        <p className="muted small" data-testid="eval.embedded.note">
          {embedded.error}
        </p>
      )}
      <div className="eval-fields">
        <label>
          Dataset{' '}
          <select value={settings.dataset} onChange={(e) => set({ dataset: e.target.value })} data-testid="eval.dataset">
            <option value="offline-heldout">Offline pool — held-out split</option>
            <option value="offline">Offline pool — all{offlineCount === null ? '' : ` (${offlineCount})`}</option>
            {QA_DATASETS.map((d) => (
              <option key={d.id} value={d.id}>
                {d.label} ({d.split})
              </option>
            ))}
          </select>
        </label>
        <label>
          Questions{' '}
          <input type="number" min={1} value={settings.limit} onChange={(e) => set({ limit: Math.max(1, Math.trunc(Number(e.target.value)) || 1) })} data-testid="eval.limit" className="eval-num" />
        </label>
        <label>
          Seed{' '}
          <input type="number" value={settings.seed} onChange={(e) => set({ seed: Math.trunc(Number(e.target.value)) || 0 })} data-testid="eval.seed" className="eval-num" />
        </label>
      </div>
      {qa && (
        <p className="muted small" data-testid="eval.dataset.note">
          QA sets need live providers: the offline pool answers only questions its bank holds (others get "cannot help"). Point the pool at a provider with a key first.
        </p>
      )}
      <EvalSliders />
      <EvalUnseenModels />
    </div>
  );
}
