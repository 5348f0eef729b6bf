/** The full user message the policy reads (template + normalised question), collapsed by default. */
import { useApp } from '../store/useApp';

export function PromptView() {
  const prompt = useApp((s) => s.trajectory?.prompt ?? '');
  const promptTokens = useApp((s) => s.trajectory?.promptTokens ?? 0);
  const open = useApp((s) => s.promptOpen);
  const toggle = useApp((s) => s.togglePrompt);
  return (
    <section className="panel prompt">
      <button
        type="button"
        className="disclosure"
        aria-expanded={open}
        aria-controls="prompt-text"
        onClick={toggle}
        data-testid="prompt.toggle"
      >
        <span aria-hidden="true">{open ? '▾' : '▸'}</span> Prompt <span className="muted">({promptTokens} policy tokens, one user message)</span>
      </button>
      {open && (
        <pre id="prompt-text" className="prompt-text" data-testid="prompt.text">
          {prompt}
        </pre>
      )}
    </section>
  );
}
