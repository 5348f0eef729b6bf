/**
 * Fork a finished round: edit its thought and its route (model, sub-query) or answer — or, for a what-if,
 * the reply the route got — then the policy continues from there. The rounds before it are replayed as
 * recorded, so the model keeps that prefix in its KV cache; the two branches are compared side by side.
 */
import { useState } from 'react';
import { findTagBlocks, type PoolModelRecord, type RoundRecord } from '../../core';
import { useController } from '../session/controllerContext';
import { useApp } from '../store/useApp';
import type { TurnDraft } from './turnText';

function draftOf(round: RoundRecord, pool: readonly PoolModelRecord[]): TurnDraft {
  const think = findTagBlocks(round.text, ['think']).map((b) => b.content.trim()).join(' ');
  const a = round.action;
  const model = a.type === 'route' ? a.modelName.trim() : (pool[0]?.name ?? '');
  return { action: a.type === 'answer' ? 'answer' : 'route', think, model, query: a.type === 'route' ? a.query.trim() : '', answer: a.type === 'answer' ? a.answer : '', raw: '' };
}

export function ForkEditor({ round, pool }: { round: RoundRecord; pool: readonly PoolModelRecord[] }) {
  const controller = useController();
  const close = useApp((s) => s.openForkEditor);
  const [draft, setDraft] = useState<TurnDraft>(() => draftOf(round, pool));
  const [replyOn, setReplyOn] = useState(false);
  const [reply, setReply] = useState(round.call?.reply ?? '');
  const set = (patch: Partial<TurnDraft>) => setDraft({ ...draft, ...patch });
  const names = pool.some((m) => m.name === draft.model) || draft.model === '' ? pool.map((m) => m.name) : [draft.model, ...pool.map((m) => m.name)];

  return (
    <section className="panel fork-editor" aria-label={`Fork round ${round.index + 1}`} data-testid="fork.editor">
      <h2 className="panel-title">Fork round {round.index + 1}: edit it, then the policy continues</h2>
      <label className="field">
        Thought
        <textarea rows={2} value={draft.think} onChange={(e) => set({ think: e.target.value })} data-testid="fork.think" />
      </label>
      <div role="radiogroup" aria-label="Action" className="segmented">
        {(['route', 'answer'] as const).map((a) => (
          <label key={a} className={draft.action === a ? 'seg seg-on' : 'seg'}>
            <input type="radio" name="fork-action" checked={draft.action === a} onChange={() => set({ action: a })} data-testid={`fork.action.${a}`} />
            {a === 'route' ? 'Route' : 'Answer'}
          </label>
        ))}
      </div>
      {draft.action === 'route' ? (
        <div className="fork-route">
          <select value={draft.model} onChange={(e) => set({ model: e.target.value })} aria-label="Model" data-testid="fork.model">
            {names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
          <input value={draft.query} onChange={(e) => set({ query: e.target.value })} placeholder="sub-query" aria-label="Sub-query" data-testid="fork.query" />
          <label className="muted small">
            <input type="checkbox" checked={replyOn} onChange={(e) => setReplyOn(e.target.checked)} data-testid="fork.replyOn" /> What if the reply were…
          </label>
          {replyOn && <textarea rows={2} value={reply} onChange={(e) => setReply(e.target.value)} aria-label="Reply" data-testid="fork.reply" />}
        </div>
      ) : (
        <input value={draft.answer} onChange={(e) => set({ answer: e.target.value })} placeholder="answer" aria-label="Answer" data-testid="fork.answer" />
      )}
      <div className="row-actions">
        <button type="button" className="primary" onClick={() => void controller?.forkRound({ ...draft, roundIndex: round.index, reply: draft.action === 'route' && replyOn ? reply : null })} data-testid="fork.run">
          Continue from here
        </button>
        <button type="button" onClick={() => close(null)} data-testid="fork.cancel">
          Cancel
        </button>
      </div>
    </section>
  );
}
