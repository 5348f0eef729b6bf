/**
 * "Add model to pool": the paper's two unseen models (router-r1/pool.json "unseen") as presets, for
 * the generalisation experiment: evaluate the same router on a pool it was not trained with. On the
 * offline pool a model the bank scores is added as simulated; otherwise as a live model (edit its
 * provider in the pool editor).
 */
import { useEffect, useState } from 'react';
import type { PoolModelRecord } from '../../../core';
import { useController } from '../../session/controllerContext';
import { useApp } from '../../store/useApp';

export function EvalUnseenModels() {
  const controller = useController();
  const models = useApp((s) => s.models);
  const addModel = useApp((s) => s.addModel);
  const [unseen, setUnseen] = useState<PoolModelRecord[] | null>(null);
  useEffect(() => {
    let live = true;
    void controller?.unseenModels().then((u) => live && setUnseen(u));
    return () => void (live = false);
  }, [controller]);
  if (unseen === null || unseen.length === 0) return null;
  return (
    <div className="eval-unseen row-actions" data-testid="eval.unseen">
      <span className="muted small">Add an unseen model to the pool (no retraining):</span>
      {unseen.map((m, i) => {
        const inPool = models.some((p) => p.name === m.name);
        return (
          <button key={m.name} type="button" disabled={inPool} onClick={() => addModel({ ...m })} data-testid={`eval.unseen.${i}`} title={`${m.providerModelId} at $${m.outputPer1M}/1M`}>
            {inPool ? `${m.name} ✓` : `+ ${m.name}`}
          </button>
        );
      })}
    </div>
  );
}
