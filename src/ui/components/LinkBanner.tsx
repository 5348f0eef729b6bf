/**
 * What opening a share link or bundle did: a notice (what was opened, what it needs), an error (the
 * app is unchanged and usable), or a link waiting for consent because it would replace the user's work.
 */
import { useController } from '../session/controllerContext';
import { useApp } from '../store/useApp';

export function LinkBanner() {
  const controller = useController();
  const error = useApp((s) => s.linkError);
  const notice = useApp((s) => s.linkNotice);
  const pending = useApp((s) => s.pendingLink !== null);
  const dismiss = useApp((s) => s.dismissLink);
  const dismissButton = (
    <button type="button" className="link-dismiss" onClick={dismiss} data-testid="link.dismiss">
      Dismiss
    </button>
  );

  if (error !== null) {
    return (
      <div className="error-box link-banner" role="alert" data-testid="link.error">
        <span>{error}</span> {dismissButton}
      </div>
    );
  }
  if (pending) {
    return (
      <div className="panel link-banner" role="alertdialog" aria-label="Open the shared link?" data-testid="link.pending">
        <span>A shared link was opened. It replaces your question, pool draft and the shown trajectory (keys and stored settings stay).</span>{' '}
        <button type="button" className="primary" onClick={() => controller?.acceptPendingLink()} data-testid="link.open">
          Open it
        </button>{' '}
        <button type="button" onClick={dismiss} data-testid="link.ignore">
          Keep my work
        </button>
      </div>
    );
  }
  if (notice !== null) {
    return (
      <p className="link-banner link-notice" role="status" data-testid="link.notice">
        <span>{notice}</span> {dismissButton}
      </p>
    );
  }
  return null;
}
