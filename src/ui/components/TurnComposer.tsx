/**
 * "You are the router": when the episode asks for a turn, write a thought, then route (model + sub-query)
 * or answer, or type the raw text. Submit (Ctrl+Enter) sends the text in the protocol's tags; the real
 * environment cuts, parses and executes it like a model's generation.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useController } from '../session/controllerContext';
import { useApp } from '../store/useApp';
import { buildTurnText, turnWarnings, type TurnAction, type TurnDraft } from './turnText';

const EMPTY: TurnDraft = { action: 'route', think: '', model: '', query: '', answer: '', raw: '' };

export function TurnComposer() {
  const controller = useController();
  const turn = useApp((s) => s.awaitedTurn);
  const isHuman = useApp((s) => s.trajectory?.policy.kind === 'human' && s.source === 'live');
  const pool = useApp((s) => s.trajectory?.pool);
  const maxTurns = useApp((s) => s.trajectory?.settings.maxTurns ?? 4);
  const submitting = useApp((s) => s.submitting);
  const calling = useApp((s) => s.calling);
  const [draft, setDraft] = useState<TurnDraft>(EMPTY);
  const thinkRef = useRef<HTMLTextAreaElement>(null);
  const roundIndex = turn?.roundIndex;

  useEffect(() => {
    if (roundIndex === undefined) return;
    setDraft((d) => ({ ...EMPTY, model: d.model || (pool?.[0]?.name ?? ''), action: turn?.routingEnabled === false ? 'answer' : 'route' }));
    thinkRef.current?.focus();
  }, [roundIndex, pool, turn?.routingEnabled]);

  if (!isHuman) return null;
  if (turn === null) {
    return calling === null ? null : (
      <p className="panel composer-wait muted" aria-live="polite" data-testid="composer.calling">
        Calling {calling}…
      </p>
    );
  }
  const set = (patch: Partial<TurnDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const text = buildTurnText(draft);
  const warnings = turnWarnings(draft, turn.routingEnabled);
  const submit = () => void controller?.submitTurn(text);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      submit();
    }
  };
  const final = !turn.routingEnabled;

  return (
    <section className="panel composer" aria-label="Your turn" data-testid="composer" onKeyDown={onKeyDown}>
      <h2 className="panel-title" data-testid="composer.turn">
        Your turn · {final ? `final turn (routing disabled)` : `turn ${turn.roundIndex + 1} of ${maxTurns}`} · context {turn.contextTokens} tokens
      </h2>
      <div role="radiogroup" aria-label="Action" className="segmented">
        {(['route', 'answer', 'raw'] as const satisfies readonly TurnAction[]).map((a) => (
          <label key={a} className={draft.action === a ? 'seg seg-on' : 'seg'}>
            <input type="radio" name="turn-action" checked={draft.action === a} onChange={() => set({ action: a })} disabled={a === 'route' && final} data-testid={`composer.action.${a}`} />
            {a === 'route' ? 'Route to a model' : a === 'answer' ? 'Answer' : 'Raw text'}
          </label>
        ))}
      </div>
      {draft.action !== 'raw' && (
        <label className="field">
          <span className="label">Think</span>
          <textarea ref={thinkRef} rows={2} value={draft.think} onChange={(e) => set({ think: e.target.value })} data-testid="composer.think" placeholder="What do you know, what do you need?" />
        </label>
      )}
      {draft.action === 'route' && (
        <div className="field-row">
          <label className="field">
            <span className="label">Model</span>
            <select value={draft.model} onChange={(e) => set({ model: e.target.value })} data-testid="composer.model">
              {(pool ?? []).map((m) => (
                <option key={m.name} value={m.name}>
                  {m.name} (${m.outputPer1M}/1M{m.simulated === true ? ', simulated' : ''})
                </option>
              ))}
            </select>
          </label>
          <label className="field grow">
            <span className="label">Sub-query</span>
            <input type="text" value={draft.query} onChange={(e) => set({ query: e.target.value })} data-testid="composer.query" placeholder="What to ask it" />
          </label>
        </div>
      )}
      {draft.action === 'answer' && (
        <label className="field">
          <span className="label">Answer</span>
          <input type="text" value={draft.answer} onChange={(e) => set({ answer: e.target.value })} data-testid="composer.answer" placeholder="Short final answer" />
        </label>
      )}
      {draft.action === 'raw' && (
        <label className="field">
          <span className="label">Raw turn text (cut after the first &lt;/search&gt; or &lt;/answer&gt;)</span>
          <textarea rows={4} value={draft.raw} onChange={(e) => set({ raw: e.target.value })} data-testid="composer.raw" className="mono" />
        </label>
      )}
      <pre className="composer-preview" data-testid="composer.preview" aria-label="Text that will be sent">{text}</pre>
      {warnings.length > 0 && (
        <ul className="warn-list" data-testid="composer.warnings">
          {warnings.map((w) => <li key={w}>{w}</li>)}
        </ul>
      )}
      <div className="row-actions">
        <button type="button" className="primary" onClick={submit} disabled={submitting} data-testid="composer.submit">
          Submit turn
        </button>
        <span className="muted small">
          <kbd>Ctrl</kbd>+<kbd>Enter</kbd> submits
        </span>
      </div>
    </section>
  );
}
