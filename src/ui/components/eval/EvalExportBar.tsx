/** Export the run (JSONL trajectories, CSV rows) and share its summary as an evaluation link (never a key). */
import { useController } from '../../session/controllerContext';
import { useApp } from '../../store/useApp';

export function EvalExportBar() {
  const controller = useController();
  const hasRows = useApp((s) => s.evalRows.length > 0);
  const hasSummary = useApp((s) => s.evalSummary !== null);
  const share = useApp((s) => s.evalShare);
  return (
    <div className="eval-export" data-testid="eval.export">
      <div className="row-actions">
        <button type="button" disabled={!hasRows} onClick={() => controller?.exportEvalCsv()} data-testid="eval.export.csv">
          Export CSV
        </button>
        <button type="button" disabled={!hasRows} onClick={() => controller?.exportEvalJsonl()} data-testid="eval.export.jsonl">
          Export JSONL
        </button>
        <button type="button" disabled={!hasSummary} onClick={() => controller?.shareEvaluation(window.location.href)} data-testid="eval.share">
          Share summary
        </button>
      </div>
      {share !== null && 'url' in share && <input type="text" readOnly value={share.url} className="share-url" onFocus={(e) => e.currentTarget.select()} data-testid="eval.share.url" aria-label="Link to the evaluation summary" />}
      {share !== null && 'error' in share && (
        <p className="error-box" data-testid="eval.share.error">
          {share.error}
        </p>
      )}
    </div>
  );
}
