/**
 * Test fixtures: the app page object, and an automatic guard that fails the test on any uncaught page
 * error or console error (collected for the whole test, reported together at the end).
 */
import { test as base, expect } from '@playwright/test';
import { AppPage } from './pages/appPage';

/** Lets a test declare the console errors it provokes on purpose (e.g. the browser's CORS report). */
export interface ConsoleGuard {
  allow(pattern: RegExp): void;
}

interface Fixtures {
  app: AppPage;
  consoleGuard: ConsoleGuard;
}

export const test = base.extend<Fixtures>({
  consoleGuard: [
    async ({ page }, use) => {
      const errors: string[] = [];
      const allowed: RegExp[] = [];
      page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error') errors.push(`console.error: ${msg.text()} (${msg.location().url})`);
      });
      await use({ allow: (pattern) => void allowed.push(pattern) });
      const unexpected = errors.filter((e) => !allowed.some((re) => re.test(e)));
      expect(unexpected, 'the page must not log errors').toEqual([]);
    },
    { auto: true },
  ],
  app: async ({ page }, use) => {
    await use(new AppPage(page));
  },
});

export { expect };
