/**
 * Step controls: start / back / next / end buttons, where the cursor is, and the raw-text switch.
 * The keyboard shortcuts are bound page-wide by useStepKeys.
 */
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../store/useApp';
import { selectCurrentStep, selectTotalSteps, type StepStage } from '../store/steps';

const STAGE_LABEL: Record<StepStage, string> = {
  think: 'think',
  route: 'route',
  reply: 'reply',
  answer: 'answer',
  invalid: 'invalid action',
};

export function StepControls() {
  const revealed = useApp((s) => s.revealed);
  const total = useApp(selectTotalSteps);
  const current = useApp(selectCurrentStep);
  const rawTextShown = useApp((s) => s.rawTextShown);
  const { stepToStart, stepBack, stepForward, stepToEnd, toggleRawText } = useApp(
    useShallow((s) => ({ stepToStart: s.stepToStart, stepBack: s.stepBack, stepForward: s.stepForward, stepToEnd: s.stepToEnd, toggleRawText: s.toggleRawText })),
  );
  const atStart = revealed === 0;
  const atEnd = revealed >= total;

  return (
    <section className="panel controls" aria-label="Step controls">
      <div role="toolbar" aria-label="Step through the trajectory" className="controls-buttons">
        <button type="button" onClick={stepToStart} disabled={atStart} data-testid="controls.start" title="Start (Home)">
          « Start
        </button>
        <button type="button" onClick={stepBack} disabled={atStart} data-testid="controls.prev" title="Step back (← or k)">
          ‹ Back
        </button>
        <button type="button" onClick={stepForward} disabled={atEnd} data-testid="controls.next" title="Step forward (→ or j)" className="primary">
          Next ›
        </button>
        <button type="button" onClick={stepToEnd} disabled={atEnd} data-testid="controls.end" title="End (End)">
          End »
        </button>
      </div>
      <p className="controls-position" aria-live="polite" data-testid="controls.position">
        Step {revealed} / {total}
        {current !== null && (
          <span className="muted">
            {' '}
            · round {current.round + 1} · {STAGE_LABEL[current.stage]}
          </span>
        )}
        {atStart && <span className="muted"> · only the question</span>}
      </p>
      <label className="controls-raw">
        <input type="checkbox" checked={rawTextShown} onChange={toggleRawText} data-testid="controls.raw" /> raw generations
      </label>
      <p className="controls-keys muted">
        Keys: <kbd>→</kbd>/<kbd>j</kbd> next · <kbd>←</kbd>/<kbd>k</kbd> back · <kbd>Home</kbd> · <kbd>End</kbd>
      </p>
    </section>
  );
}
