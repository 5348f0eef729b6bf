/**
 * The embedded default policy at the top of the router policy mode: which variant is selected (and the α
 * it was trained for), whether it is loading or running, and the one-click "Run a sample question".
 */
import { useController } from '../session/controllerContext';
import { embeddedVariantLabel, selectEmbeddedPolicy } from '../store/modelSlice';
import { useApp } from '../store/useApp';
import { useShallow } from 'zustand/react/shallow';

export function EmbeddedPolicyBar() {
  const controller = useController();
  const policy = useApp(useShallow(selectEmbeddedPolicy));
  const indexLoading = useApp((s) => s.embeddedIndex.status === 'loading');
  const modelLoading = useApp((s) => s.modelLoad.status === 'loading');
  const modelReady = useApp((s) => s.modelInfo !== null && s.modelLoad.status !== 'loading');
  const bankReady = useApp((s) => s.questionLists['offline']?.status === 'ready');
  const phase = useApp((s) => s.phase);
  const running = phase === 'starting' || phase === 'generating' || phase === 'calling';
  const blocker = !bankReady
    ? 'loading the question bank…'
    : indexLoading || modelLoading
      ? 'loading the router policy…'
      : !modelReady
        ? 'load a model first (below)'
        : running
          ? 'an episode is running'
          : null;

  return (
    <div className="embedded-bar" data-testid="embedded">
      <div className="embedded-policy">
        {policy === null ? (
          indexLoading ? <span className="muted" data-testid="embedded.variant">Finding the embedded router policy…</span> : null
        ) : (
          <>
            <span className="label">Router policy</span>{' '}
            <strong data-testid="embedded.variant">{embeddedVariantLabel(policy)}</strong>{' '}
            <span className="muted small" data-testid="embedded.status">
              {policy.status === 'loading' ? '· loading…' : policy.status === 'running' ? `· ${policy.summary}` : '· not loaded'}
            </span>
          </>
        )}
      </div>
      <button
        type="button"
        className="primary sample-button"
        onClick={() => void controller?.runSampleQuestion()}
        disabled={controller === null || blocker !== null}
        title={blocker ?? 'Pick a held-out question of the offline bank and let the policy route it end to end'}
        data-testid="sample.run"
      >
        Run a sample question
      </button>
      {blocker !== null && !running && <span className="muted small" data-testid="sample.waiting">{blocker}</span>}
    </div>
  );
}
