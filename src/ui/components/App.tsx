/**
 * The app shell: header; the setup (mode, question, Start) and, while you are the router, the turn
 * composer; then the trajectory viewer (question, prompt, step controls, round timeline) beside the
 * reward breakdown, the demo gallery, the pool editor and sharing. A banner says what an opened link did. Renders from
 * the store only.
 */
import { lazy, Suspense, useEffect, useRef } from 'react';
import { useStepKeys } from '../hooks/useStepKeys';
import { useController } from '../session/controllerContext';
import { useApp } from '../store/useApp';
import { AppHeader } from './AppHeader';
import { BranchCompare } from './BranchCompare';
import { CachePanel } from './CachePanel';
import { DemoGallery } from './DemoGallery';
import { EvaluationTable } from './EvaluationTable';
import { LinkBanner } from './LinkBanner';
import { LoadState } from './LoadState';
import { PoolEditor } from './PoolEditor';
import { PoolPanel } from './PoolPanel';
import { PromptView } from './PromptView';
import { QuestionPanel } from './QuestionPanel';
import { RewardPanel } from './RewardPanel';
import { SetupPanel } from './SetupPanel';
import { SharePanel } from './SharePanel';
import { StepControls } from './StepControls';
import { Timeline } from './Timeline';
import { TrainView } from './TrainView';
import { TurnComposer } from './TurnComposer';

// The Evaluation view brings the charts (recharts): loaded when first opened, not with the app.
const EvalView = lazy(() => import('./EvalView').then((m) => ({ default: m.EvalView })));

export function App() {
  const status = useApp((s) => s.loadStatus);
  const hasTrajectory = useApp((s) => s.trajectory !== null);
  const source = useApp((s) => s.source);
  const modelMode = useApp((s) => s.mode === 'model');
  const trainMode = useApp((s) => s.mode === 'train');
  const evalOpen = useApp((s) => s.evalViewOpen);
  const controller = useController();
  const mainRef = useRef<HTMLElement>(null);
  useStepKeys();
  // Put keyboard focus inside the app once a replay is there, so the step keys work at once (also when
  // the app is embedded in a frame that does not have focus yet). A live episode focuses the composer.
  useEffect(() => {
    if (status === 'ready' && source !== 'live') mainRef.current?.focus({ preventScroll: true });
  }, [status, source]);

  return (
    <div className="app">
      <AppHeader />
      <main ref={mainRef} tabIndex={-1} className="app-main" data-testid="app.main" aria-busy={status === 'loading'}>
        <div className="layout">
          <div className="layout-main">
            <LinkBanner />
            {controller !== null && (trainMode ? <TrainView /> : <SetupPanel />)}
            {evalOpen && controller !== null && (
              <Suspense fallback={<p className="muted">Loading the evaluation view…</p>}>
                <EvalView />
              </Suspense>
            )}
            <EvaluationTable />
            {hasTrajectory ? (
              <>
                <QuestionPanel />
                <PromptView />
                <StepControls />
                <Timeline />
                <BranchCompare />
                <TurnComposer />
              </>
            ) : (
              <LoadState />
            )}
          </div>
          <aside className="layout-side" aria-label="Reward and pool">
            {hasTrajectory && <RewardPanel />}
            {controller !== null && <DemoGallery />}
            {controller !== null ? <PoolEditor /> : <PoolPanel />}
            <SharePanel />
            {modelMode && controller !== null && <CachePanel />}
          </aside>
        </div>
      </main>
    </div>
  );
}
