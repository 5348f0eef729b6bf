/**
 * The browser half of a benchmark: the built app's harness page (dist/e2e/harness/<name>.html) served by
 * the static server, opened in headless Debian Chromium with the flags DESIGN.md §10 names, its console
 * forwarded to the log. The caller drives the page's harness object; everything is closed afterwards.
 * Not for: e2e tests (Playwright's own runner and fixtures serve those).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { startStaticServer } from './staticServer';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export interface HarnessPageOptions {
  /** The built app (`npm run build` output). */
  dist: string;
  /** 'runtime' or 'train': the page e2e/harness/<name>.html, which installs `__<name>Harness` on globalThis. */
  harness: 'runtime' | 'train';
  /** Extra files served at fixed paths (url path → file). */
  mounts?: Readonly<Record<string, string>>;
  log(line: string): void;
}

/** Opens the harness page, waits for its harness object, runs `use`, and closes the browser and server. */
export async function withHarnessPage<R>(o: HarnessPageOptions, use: (page: Page) => Promise<R>): Promise<R> {
  const html = `e2e/harness/${o.harness}.html`;
  if (!existsSync(resolve(o.dist, html))) throw new Error(`dist/${html} is missing: run \`npm run build\` first.`);
  const server = await startStaticServer(o.dist, o.mounts ?? {});
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => o.log(`  page  ${m.type()}: ${m.text()}`));
    await page.goto(`${server.origin}/${html}`);
    await page.waitForFunction((name) => (globalThis as Record<string, unknown>)[name] !== undefined, `__${o.harness}Harness`);
    return await use(page);
  } finally {
    await browser.close();
    await server.close();
  }
}
