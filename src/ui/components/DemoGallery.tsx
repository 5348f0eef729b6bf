/**
 * The demo gallery: recorded episodes of the embedded policies on the offline pool (multi-round
 * routing, an escalation, an aggregation of two replies, an α comparison, a one-call answer). Listed
 * from a static file on first load; opening one replays it in the timeline, no model needed. A missing
 * or unreadable file is a one-line note.
 */
import { useController } from '../session/controllerContext';
import { useApp } from '../store/useApp';

export function DemoGallery() {
  const controller = useController();
  const gallery = useApp((s) => s.demoGallery);
  const shownId = useApp((s) => s.trajectory?.id ?? null);
  if (gallery.status === 'idle') return null;

  return (
    <section className="panel demos" aria-labelledby="demos-heading" data-testid="demos">
      <h2 id="demos-heading" className="panel-title">
        Demo gallery
      </h2>
      {gallery.status === 'loading' && <p className="muted small">Loading the recorded demos…</p>}
      {gallery.status === 'failed' && (
        <p className="muted small" role="note" data-testid="demos.note">
          No demos to show: {gallery.error}
        </p>
      )}
      {gallery.status === 'ready' && gallery.gallery.entries.length === 0 && (
        <p className="muted small" role="note" data-testid="demos.note">
          The demo gallery is empty.
        </p>
      )}
      {gallery.status === 'ready' && gallery.gallery.entries.length > 0 && (
        <>
          <p className="muted small" title={gallery.gallery.source}>Recorded episodes of the embedded router policies on the offline pool. Open one to step through it; nothing is downloaded or run.</p>
          <ul className="demo-list" data-testid="demos.list">
            {gallery.gallery.entries.map((e) => (
              <li key={e.id}>
                <button type="button" className="demo-entry" aria-current={shownId === e.trajectory.id ? 'true' : undefined} onClick={() => controller?.openDemo(e.id)} data-testid={`demos.entry.${e.id}`}>
                  <span className="demo-title">{e.title}</span>
                  <span className="muted small">{e.compare === undefined ? `${e.variant}, α ${e.alpha}` : `${e.variant} vs ${e.compare.variant}`}</span>
                  <span className="demo-question small">{e.trajectory.question.text}</span>
                  <span className="muted small">{e.description}</span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
