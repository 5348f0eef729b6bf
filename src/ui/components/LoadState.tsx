/** What the main area shows before a trajectory is there: building it, or why it failed. */
import { useApp } from '../store/useApp';

export function LoadState() {
  const status = useApp((s) => s.loadStatus);
  const error = useApp((s) => s.loadError);
  if (status === 'failed') {
    return (
      <div className="panel load-error" role="alert" data-testid="app.loadError">
        <h2>Could not build the example trajectory</h2>
        <p>{error}</p>
        <p className="muted">Reload the page; if it persists, the browser console has the details.</p>
      </div>
    );
  }
  return (
    <p className="panel muted" data-testid="app.loading">
      Building the example trajectory…
    </p>
  );
}
