/**
 * The sliders: α (reward weight, the policy's cost-aware bias, and the variant of "embedded policy by
 * α"), max calls and max spend per question. A change applies to the next run.
 */
import { variantForAlpha } from '../../../core';
import { useApp } from '../../store/useApp';

/** Max calls: 1…4, and the right end is "no limit". */
const CALL_STEPS: (number | null)[] = [1, 2, 3, 4, null];
/** Max spend per question in USD: small steps, then "no limit". */
const SPEND_STEPS: (number | null)[] = [0.00001, 0.0001, 0.001, 0.01, 0.1, null];

const stepOf = (steps: (number | null)[], v: number | null): number => Math.max(0, steps.indexOf(v) >= 0 ? steps.indexOf(v) : steps.length - 1);

export function EvalSliders() {
  const settings = useApp((s) => s.evalSettings);
  const set = useApp((s) => s.setEvalSettings);
  const embedded = useApp((s) => s.evalEmbedded);
  const variant = embedded.status === 'ready' ? variantForAlpha(embedded, settings.alpha) : null;
  return (
    <div className="eval-sliders" data-testid="eval.sliders">
      <label title="Weight of the cost reward (DESIGN.md §2.4); for the policy methods it also sets the cost-aware decoding bias (λ = 4α), and it picks the variant of the embedded policy by α">
        α <output data-testid="eval.alpha.value">{settings.alpha.toFixed(2)}</output>
        <input type="range" min={0} max={1} step={0.05} value={settings.alpha} onChange={(e) => set({ alpha: Number(e.target.value) })} aria-label="α" aria-valuetext={variant === null ? undefined : `${settings.alpha.toFixed(2)}, embedded variant ${variant.name}`} data-testid="eval.alpha" />
        {variant !== null && (
          <output className="muted small" data-testid="eval.alpha.variant" title="The variant the embedded policy by α runs at this α">
            {' '}
            → {variant.name}
          </output>
        )}
      </label>
      <label title="Calls allowed per question; a refused call is answered None">
        max calls <output data-testid="eval.maxCalls.value">{settings.maxCalls ?? 'no limit'}</output>
        <input type="range" min={0} max={CALL_STEPS.length - 1} step={1} value={stepOf(CALL_STEPS, settings.maxCalls)} onChange={(e) => set({ maxCalls: CALL_STEPS[Number(e.target.value)] ?? null })} aria-label="max calls" aria-valuetext={String(settings.maxCalls ?? 'no limit')} data-testid="eval.maxCalls" />
      </label>
      <label title="Dollars allowed per question (worst case per call, as the spending cap counts)">
        max spend <output data-testid="eval.maxSpend.value">{settings.maxSpendUsd === null ? 'no limit' : `$${settings.maxSpendUsd}`}</output>
        <input type="range" min={0} max={SPEND_STEPS.length - 1} step={1} value={stepOf(SPEND_STEPS, settings.maxSpendUsd)} onChange={(e) => set({ maxSpendUsd: SPEND_STEPS[Number(e.target.value)] ?? null })} aria-label="max spend" aria-valuetext={settings.maxSpendUsd === null ? 'no limit' : `$${settings.maxSpendUsd}`} data-testid="eval.maxSpend" />
      </label>
    </div>
  );
}
