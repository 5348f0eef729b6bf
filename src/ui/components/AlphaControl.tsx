/**
 * α, the cost weight (DESIGN.md §2.4, §7): the reward of the next episode, the cost-aware decoding bias
 * (λ = 4α), and, while an embedded default policy is selected, which of its variants runs.
 */
import { useController } from '../session/controllerContext';
import { useApp } from '../store/useApp';

export function AlphaControl() {
  const controller = useController();
  const alpha = useApp((s) => s.runConfig.alpha);
  const running = useApp((s) => s.phase === 'starting' || s.phase === 'generating' || s.phase === 'calling');
  return (
    <label className="field-inline alpha-control" title="The reward's cost weight (0: accuracy only). For model policies it also sets the cost-aware decoding bias (λ = 4α) and picks the embedded variant trained for the nearest α.">
      α (cost weight)
      <input type="range" min={0} max={1} step={0.05} value={alpha} disabled={controller === null || running} onChange={(e) => void controller?.setAlpha(Number(e.target.value))} data-testid="setup.alpha" />
      <output data-testid="setup.alphaValue">{alpha.toFixed(2)}</output>
    </label>
  );
}
