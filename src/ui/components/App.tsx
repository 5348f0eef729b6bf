/**
 * The app shell: header, then the trajectory viewer (question, prompt, step controls, round timeline)
 * beside the reward breakdown and the pool. Renders from the store only.
 */
import { useEffect, useRef } from 'react';
import { useStepKeys } from '../hooks/useStepKeys';
import { useApp } from '../store/useApp';
import { AppHeader } from './AppHeader';
import { LoadState } from './LoadState';
import { PoolPanel } from './PoolPanel';
import { PromptView } from './PromptView';
import { QuestionPanel } from './QuestionPanel';
import { RewardPanel } from './RewardPanel';
import { StepControls } from './StepControls';
import { Timeline } from './Timeline';

export function App() {
  const status = useApp((s) => s.loadStatus);
  const mainRef = useRef<HTMLElement>(null);
  useStepKeys();
  // Put keyboard focus inside the app once the trajectory is there, so the step keys work at once
  // (also when the app is embedded in a frame that does not have focus yet).
  useEffect(() => {
    if (status === 'ready') mainRef.current?.focus({ preventScroll: true });
  }, [status]);

  return (
    <div className="app">
      <AppHeader />
      <main ref={mainRef} tabIndex={-1} className="app-main" data-testid="app.main" aria-busy={status === 'loading'}>
        {status === 'ready' ? (
          <div className="layout">
            <div className="layout-main">
              <QuestionPanel />
              <PromptView />
              <StepControls />
              <Timeline />
            </div>
            <aside className="layout-side" aria-label="Reward and pool">
              <RewardPanel />
              <PoolPanel />
            </aside>
          </div>
        ) : (
          <LoadState />
        )}
      </main>
    </div>
  );
}
