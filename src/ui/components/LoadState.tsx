/** What the trajectory area shows before there is a trajectory: nothing yet, building one, or why it failed. */
import { useApp } from '../store/useApp';

export function LoadState() {
  const status = useApp((s) => s.loadStatus);
  const error = useApp((s) => s.loadError);
  const modelMode = useApp((s) => s.mode === 'model');
  if (status === 'failed') {
    return (
      <div className="panel load-error" role="alert" data-testid="app.loadError">
        <h2>Could not start the episode</h2>
        <p>{error}</p>
        <p className="muted">Fix the cause above (for a data root error: check the data root), then start again.</p>
      </div>
    );
  }
  if (status === 'loading') {
    return (
      <p className="panel muted" data-testid="app.loading">
        Starting the episode…
      </p>
    );
  }
  if (modelMode) {
    return (
      <p className="panel muted" data-testid="app.empty">
        Press <strong>Run a sample question</strong> (or pick a question and press <strong>Start episode</strong>): the router policy thinks, routes sub-queries to the pool's models, reads their replies and answers — each round appears here as it is written.
      </p>
    );
  }
  return (
    <p className="panel muted" data-testid="app.empty">
      Pick a question and press <strong>Start episode</strong>: you write each turn — think, route a sub-query to a candidate model, read its reply — then answer and see the reward.
    </p>
  );
}
