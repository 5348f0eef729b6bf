/**
 * Share: a link to the shown trajectory or to the setup (copied, and shown in a field to copy by hand
 * when the clipboard is refused); a state too big for a link is offered as a bundle file. Bundles
 * export what is shown and import a run. Links and bundles never hold keys (they are scanned first).
 */
import { useRef } from 'react';
import { MAX_SHARE_URL_CHARS } from '../../core';
import { useController } from '../session/controllerContext';
import { useApp, useAppStore } from '../store/useApp';

/** The app's address without query or fragment: the link opens the app as anyone would. */
const appBaseUrl = (): string => window.location.href.replace(/[?#].*$/, '');

export function SharePanel() {
  const controller = useController();
  const store = useAppStore();
  const hasTrajectory = useApp((s) => s.trajectory !== null);
  const running = useApp((s) => s.phase === 'starting' || s.phase === 'generating' || s.phase === 'calling');
  const outcome = useApp((s) => s.shareOutcome);
  const setOutcome = useApp((s) => s.setShareOutcome);
  const fileRef = useRef<HTMLInputElement>(null);
  if (controller === null) return null;

  const share = async (kind: 'trajectory' | 'config') => {
    controller.makeShareLink(kind, appBaseUrl());
    const made = store.getState().shareOutcome;
    if (made?.status !== 'link') return;
    try {
      await navigator.clipboard.writeText(made.url);
      setOutcome({ ...made, copied: true });
    } catch {
      // No clipboard (permission, insecure context, no focus): the link is in the field to copy by hand.
    }
  };
  const exportBundle = () => controller.downloadBundle();
  const importBundle = async (file: File | undefined) => {
    if (file === undefined) return;
    controller.importBundle(await file.text());
    if (fileRef.current !== null) fileRef.current.value = '';
  };

  return (
    <section className="panel share" aria-labelledby="share-heading" data-testid="share">
      <h2 id="share-heading" className="panel-title">
        Share
      </h2>
      <div className="row-actions">
        <button type="button" onClick={() => void share('trajectory')} disabled={!hasTrajectory || running} data-testid="share.trajectory" title="A link that opens this trajectory, ready to step through (no keys, no model)">
          Share trajectory link
        </button>
        <button type="button" onClick={() => void share('config')} data-testid="share.config" title="A link that opens this question, pool and settings, ready to run">
          Share setup link
        </button>
      </div>
      {outcome?.status === 'link' && (
        <div className="share-result">
          <input readOnly value={outcome.url} onFocus={(e) => e.target.select()} aria-label="Share link" data-testid="share.url" />
          <span className="muted small" data-testid="share.status">
            {outcome.copied ? 'Copied to the clipboard.' : 'Copy the link from the field.'} {outcome.url.length} characters; never contains keys.
          </span>
        </div>
      )}
      {outcome?.status === 'too-long' && (
        <p className="muted small" data-testid="share.tooLong">
          Too big for a link ({Number.isFinite(outcome.length) ? `${outcome.length} characters; ` : ''}links stay under {MAX_SHARE_URL_CHARS}). Share it as a file:{' '}
          <button type="button" onClick={exportBundle} data-testid="share.downloadBundle">
            Download bundle
          </button>
        </p>
      )}
      {outcome?.status === 'failed' && (
        <p className="error-box" role="alert" data-testid="share.error">
          {outcome.message}
        </p>
      )}
      <div className="row-actions">
        <button type="button" onClick={exportBundle} data-testid="bundle.export" title="Configuration, trajectory, prices and recorded replies as one JSON file (never keys)">
          Export bundle
        </button>
        <label className="file-button">
          Import bundle…
          <input ref={fileRef} type="file" accept=".json,application/json" onChange={(e) => void importBundle(e.target.files?.[0])} data-testid="bundle.import" />
        </label>
      </div>
    </section>
  );
}
