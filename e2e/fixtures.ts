/**
 * Test fixtures: the app page object, and an automatic guard that fails the test on any uncaught page
 * error or console error (collected for the whole test, reported together at the end).
 */
import { test as base, expect } from '@playwright/test';
import { AppPage } from './pages/appPage';

interface Fixtures {
  app: AppPage;
  consoleGuard: void;
}

export const test = base.extend<Fixtures>({
  consoleGuard: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error') errors.push(`console.error: ${msg.text()} (${msg.location().url})`);
      });
      await use();
      expect(errors, 'the page must not log errors').toEqual([]);
    },
    { auto: true },
  ],
  app: async ({ page }, use) => {
    await use(new AppPage(page));
  },
});

export { expect };
