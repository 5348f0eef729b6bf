/**
 * Page object of the model policy: choose a source and load it (URL prefix, file picker), set the device
 * and tokens per turn, start an episode, and read the streamed round through the test API.
 */
import { expect, type Locator, type Page } from '@playwright/test';
import type { StreamSample } from '../../src/ui/testApi';
import type { AppPage } from './appPage';

export class ModelPage {
  readonly page: Page;
  readonly deviceEp: Locator;
  readonly fallback: Locator;
  readonly loaded: Locator;

  constructor(readonly app: AppPage) {
    this.page = app.page;
    this.deviceEp = app.byId('device.ep');
    this.fallback = app.byId('device.fallback');
    this.loaded = app.byId('model.loaded');
  }

  /** The app in "Model policy" mode on the offline pool's first question. */
  async open(): Promise<void> {
    await this.app.open();
    await this.app.byId('mode.model').check();
    await expect(this.app.byId('model.panel')).toBeVisible();
  }

  async preferDevice(device: 'auto' | 'webgpu' | 'wasm'): Promise<void> {
    await this.app.byId('device.prefer').selectOption(device);
  }

  /** The app as a new user opens it (the embedded default policy loaded), then that policy reloaded on wasm. */
  async openDefaultOnWasm(): Promise<void> {
    await this.app.openDefault();
    await this.waitLoaded();
    await this.preferDevice('wasm');
    await this.app.byId('model.load').click();
    await this.waitLoaded();
    await expect(this.deviceEp).toHaveText('wasm');
  }

  async setMaxNewTokens(n: number): Promise<void> {
    await this.app.byId('model.maxNewTokens').fill(String(n));
  }

  /** Load a model folder by URL prefix and wait until it is ready. */
  async loadByUrl(prefix: string): Promise<void> {
    await this.app.byId('model.source.url').check();
    await this.app.byId('model.url').fill(prefix);
    await this.app.byId('model.load').click();
    await this.waitLoaded();
  }

  /** Pick a model folder with the folder input (webkitdirectory) and wait until it is ready. */
  async loadByFolderPicker(dir: string): Promise<void> {
    await this.app.byId('model.source.files').check();
    await this.app.byId('model.files.folder').setInputFiles(dir);
    await this.waitLoaded();
  }

  async waitLoaded(): Promise<void> {
    await expect.poll(async () => (await this.app.state()).modelLoad, { timeout: 20_000 }).toMatchObject({ status: 'ready' });
    await expect(this.loaded).toBeVisible();
  }

  async start(): Promise<void> {
    await this.app.byId('episode.start').click();
  }

  async waitFinished(timeout = 25_000): Promise<void> {
    await expect.poll(async () => (await this.app.state()).phase, { timeout }).toMatch(/^(finished|failed)$/);
  }

  streamSamples(): Promise<StreamSample[]> {
    return this.page.evaluate(() => window.__routerTestApi?.streamSamples() ?? []);
  }

  clearStreamSamples(): Promise<void> {
    return this.page.evaluate(() => window.__routerTestApi?.clearStreamSamples());
  }
}
