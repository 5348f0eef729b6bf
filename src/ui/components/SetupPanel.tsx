/**
 * The top of the page: who drives the episode, which question, with which pool, α, and Start. In the
 * router policy mode the embedded default policy and "Run a sample question" come first. Errors that
 * stop an episode from starting (a missing data root, a refused turn, an embedded policy that did not
 * load) are shown here.
 */
import { useController } from '../session/controllerContext';
import { useApp } from '../store/useApp';
import { AlphaControl } from './AlphaControl';
import { EmbeddedPolicyBar } from './EmbeddedPolicyBar';
import { ModeSwitch } from './ModeSwitch';
import { ModelPanel } from './ModelPanel';
import { QuestionPicker } from './QuestionPicker';

export function SetupPanel() {
  const controller = useController();
  const mode = useApp((s) => s.mode);
  const question = useApp((s) => s.question);
  const models = useApp((s) => s.models);
  const phase = useApp((s) => s.phase);
  const error = useApp((s) => s.episodeError);
  const offline = useApp((s) => s.offlineData);
  const modelReady = useApp((s) => s.modelInfo !== null && s.modelLoad.status !== 'loading');
  const embeddedError = useApp((s) => s.embeddedError);
  const dismissEmbeddedError = useApp((s) => s.setEmbeddedError);
  const running = phase === 'starting' || phase === 'generating' || phase === 'calling';
  const start = () => void (mode === 'model' ? controller?.startModelEpisode() : controller?.startHumanEpisode());
  const simulated = models.length > 0 && models.every((m) => m.simulated === true);

  return (
    <section className="panel setup" aria-label="Episode setup" data-testid="setup">
      <ModeSwitch />
      {embeddedError !== null && (
        <p className="error-box" role="alert" data-testid="embedded.error">
          {embeddedError}{' '}
          <button type="button" onClick={() => dismissEmbeddedError(null)} data-testid="embedded.error.dismiss">
            Dismiss
          </button>
        </p>
      )}
      {mode === 'model' && <EmbeddedPolicyBar />}
      {mode === 'model' && <ModelPanel />}
      {mode !== 'replay' && (
        <>
          <QuestionPicker />
          <div className="setup-start">
            <p className="setup-question" data-testid="setup.question">
              {question === null ? <span className="muted">Pick a question.</span> : <><span className="label">Question</span> {question.text}</>}
            </p>
            <p className="muted small" data-testid="setup.pool">
              Pool: {models.length} models{simulated && <> · <strong>simulated from recorded scores</strong> (offline, no keys)</>}
              {offline.status === 'failed' && <span className="error-text"> · offline pool unavailable: {offline.error}</span>}
            </p>
            <AlphaControl />
            {running ? (
              <button type="button" onClick={() => controller?.stopEpisode()} data-testid="episode.stop">
                Stop episode
              </button>
            ) : (
              <button type="button" className="primary" onClick={start} disabled={controller === null || question === null || models.length === 0 || (mode === 'model' && !modelReady)} data-testid="episode.start">
                Start episode
              </button>
            )}
          </div>
        </>
      )}
      {error !== null && (
        <p className="error-box" role="alert" data-testid="episode.error">
          {error}
        </p>
      )}
    </section>
  );
}
