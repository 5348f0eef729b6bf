/** The header: the app's name and what the user is looking at (which trajectory, made by what). */
import { useApp } from '../store/useApp';

export function AppHeader() {
  const source = useApp((s) => s.source);
  const policy = useApp((s) => s.trajectory?.policy ?? null);
  const simulated = useApp((s) => (s.trajectory?.pool.length ?? 0) > 0 && s.trajectory?.pool.every((m) => m.simulated === true) === true);
  return (
    <header className="app-header">
      <div className="brand">
        <h1 data-testid="header.title">Router-R1 Studio</h1>
        <p className="tagline">Multi-round LLM routing, step by step: think → route → reply → answer</p>
      </div>
      {source === 'example' && (
        <p className="source-badge source-example" data-testid="header.source">
          Example trajectory — built by the project, scripted, no model
        </p>
      )}
      {source === 'live' && policy !== null && (
        <p className="source-badge source-live" data-testid="header.source">
          {policy.kind === 'human' ? 'You are the router' : `Live episode — policy: ${policy.kind} ${policy.id}`}
          {simulated && ' · candidates simulated from recorded scores'}
        </p>
      )}
      {source === 'shared' && policy !== null && (
        <p className="source-badge source-shared" data-testid="header.source">
          Shared trajectory — opened from a link; policy: {policy.kind} {policy.id}
        </p>
      )}
      {source === 'demo' && policy !== null && (
        <p className="source-badge source-shared" data-testid="header.source">
          Demo — recorded by {policy.id} on the offline pool; replayed here, no model needed
        </p>
      )}
      {source === 'imported' && policy !== null && (
        <p className="source-badge" data-testid="header.source">
          Recorded trajectory — policy: {policy.kind} {policy.id}
        </p>
      )}
    </header>
  );
}
