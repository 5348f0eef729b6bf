/**
 * Page object of the Train view: configure a run, start / pause / single-step / resume, read the run and
 * the chart series through the test API, and act on stored checkpoints (export, import, use as policy).
 */
import { expect, type Download, type Page } from '@playwright/test';
import type { AppSnapshot } from '../../src/ui/testApi';
import type { AppPage } from './appPage';

export type TrainSnapshot = AppSnapshot['training'];

export interface TrainSettings {
  groupSize?: number;
  batch?: number;
  steps?: number;
  seed?: number;
  checkpointEvery?: number;
  lr?: number;
  klCoef?: number;
}

export class TrainPage {
  readonly page: Page;

  constructor(readonly app: AppPage) {
    this.page = app.page;
  }

  /** The app in the Train view (after a reload too: the mode is not kept). */
  async open(reload = false): Promise<void> {
    if (reload) {
      await this.page.reload();
      await expect(this.app.byId('picker.item.0')).toBeVisible();
    } else {
      await this.app.open();
    }
    await this.app.byId('mode.train').check();
    await expect(this.app.byId('train.view')).toBeVisible();
  }

  async configure(s: TrainSettings): Promise<void> {
    for (const [key, value] of Object.entries(s)) await this.app.byId(`train.form.${key}`).fill(String(value));
  }

  async training(): Promise<TrainSnapshot> {
    return (await this.app.state()).training;
  }

  /** Polls until the run has at least `n` charted steps (fails early with the run's error). */
  async waitForPoints(n: number, timeout = 90_000): Promise<TrainSnapshot> {
    await expect.poll(async () => ((t) => t.status === 'failed' || t.points >= n)(await this.training()), { timeout }).toBe(true);
    const t = await this.training();
    expect(t.error, 'the run must not fail').toBeNull();
    expect(t.points).toBeGreaterThanOrEqual(n);
    return t;
  }

  async waitForStatus(status: RegExp, timeout = 60_000): Promise<TrainSnapshot> {
    await expect.poll(async () => (await this.training()).status, { timeout }).toMatch(status);
    return this.training();
  }

  async start(): Promise<void> {
    await this.app.byId('train.start').click();
  }

  /** Pause and wait until the loop has stopped and stored its 'pause' checkpoint. */
  async pause(): Promise<TrainSnapshot> {
    await this.app.byId('train.pause').click();
    await this.waitForStatus(/^paused$/);
    await expect.poll(async () => (await this.training()).checkpoints[0]?.reason).toBe('pause');
    return this.training();
  }

  async resume(): Promise<void> {
    await this.app.byId('train.resume').click();
  }

  /** Export checkpoint `index` of the list; resolves with the download (subscribed before the click). */
  async exportCheckpoint(index: number): Promise<Download> {
    const download = this.page.waitForEvent('download');
    await this.app.byId(`train.checkpoint.${index}.export`).click();
    return download;
  }

  async useAsPolicy(index: number): Promise<void> {
    await this.app.byId(`train.checkpoint.${index}.use`).click();
    // The embedded default policy may be loaded already ('ready'): wait for the checkpoint's model.
    await expect.poll(async () => {
      const s = await this.app.state();
      return { status: s.modelLoad.status, ref: s.model?.ref.kind };
    }, { timeout: 30_000 }).toEqual({ status: 'ready', ref: 'checkpoint' });
  }
}
