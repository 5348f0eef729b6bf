/** Page object of the Evaluation view: locators by dotted test id, and the eval part of the test API. */
import { expect, type Locator, type Page } from '@playwright/test';
import type { EvalRow, EvalSummary } from '../../src/core';
import type { AppSnapshot } from '../../src/ui/testApi';

export class EvalPage {
  readonly view: Locator;
  readonly start: Locator;
  readonly pause: Locator;
  readonly resume: Locator;
  readonly cancel: Locator;
  readonly tableRows: Locator;
  readonly paretoPoints: Locator;
  readonly routingRows: Locator;

  constructor(readonly page: Page) {
    this.view = page.getByTestId('eval.view');
    this.start = page.getByTestId('eval.start');
    this.pause = page.getByTestId('eval.pause');
    this.resume = page.getByTestId('eval.resume');
    this.cancel = page.getByTestId('eval.cancel');
    this.tableRows = page.getByTestId(/^eval\.table\.row\.\d+$/);
    this.paretoPoints = page.getByTestId(/^eval\.pareto\.point\.\d+$/);
    this.routingRows = page.getByTestId(/^eval\.routing\.row\.\d+$/);
  }

  byId(testId: string): Locator {
    return this.page.getByTestId(testId);
  }

  async open(): Promise<void> {
    await this.byId('mode.eval').check();
    await expect(this.view).toBeVisible();
  }

  /** Opens the view with every model policy on wasm (the device preference applies to every model the engine loads). */
  async openWithPoliciesOnWasm(): Promise<void> {
    await this.byId('mode.model').check();
    await this.byId('device.prefer').selectOption('wasm');
    await this.open();
  }

  /** Check exactly these methods (method ids: single:<model>, random, …). */
  async chooseMethods(methods: readonly string[]): Promise<void> {
    const boxes = this.page.locator('[data-testid^="eval.method."]');
    for (const box of await boxes.all()) {
      const id = ((await box.getAttribute('data-testid')) ?? '').slice('eval.method.'.length);
      await box.setChecked(methods.includes(id));
    }
  }

  async setLimit(n: number): Promise<void> {
    await this.byId('eval.limit').fill(String(n));
  }

  async state(): Promise<AppSnapshot['evaluation']> {
    return this.page.evaluate(() => {
      if (window.__routerTestApi === undefined) throw new Error('No test API: open the app with ?testApi=1');
      return window.__routerTestApi.getState().evaluation;
    });
  }

  async waitForStatus(status: string): Promise<void> {
    await expect.poll(() => this.state().then((s) => s.status), { timeout: 30_000 }).toBe(status);
  }

  summary(): Promise<EvalSummary | null> {
    return this.page.evaluate(() => window.__routerTestApi?.getEvalSummary() ?? null);
  }

  rows(): Promise<EvalRow[]> {
    return this.page.evaluate(() => window.__routerTestApi?.getEvalRows() ?? []);
  }

  /**
   * Clicks Pause from inside the page as soon as `done` episodes are in the store (checked every
   * frame), so the click lands while the run is still going however fast the offline pool is.
   */
  async pauseAfter(done: number): Promise<number> {
    return this.page.evaluate(
      (n) =>
        new Promise<number>((resolve, reject) => {
          const tick = () => {
            const s = window.__routerTestApi?.getState().evaluation;
            const button = document.querySelector<HTMLButtonElement>('[data-testid="eval.pause"]');
            if (s === undefined) return reject(new Error('No test API'));
            if (s.status !== 'running' && s.status !== 'idle' && s.status !== 'estimating') return reject(new Error(`The run is ${s.status} before it could be paused.`));
            if (s.done >= n && button !== null && !button.disabled) {
              button.click();
              return resolve(s.done);
            }
            requestAnimationFrame(tick);
          };
          tick();
        }),
      done,
    );
  }
}
