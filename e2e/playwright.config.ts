/**
 * E2E against the built app (`vite build` + `vite preview`) in Debian's Chromium, never Playwright's
 * browser download (CHROMIUM_PATH overrides the path). The app's test API is enabled by `?testApi=1`
 * (see src/ui/testApi.ts), because the built app runs in production mode.
 */
import { defineConfig } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { TEST_LLM_PORT } from './testLlmServer';

// E2E_PORT / E2E_LLM_PORT let two checkouts run their suites side by side on one machine.
const PORT = Number(process.env.E2E_PORT ?? 4173);
const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const isCi = !!process.env.CI;

export default defineConfig({
  testDir: './specs',
  outputDir: './test-results',
  forbidOnly: isCi,
  retries: isCi ? 1 : 0,
  workers: 1, // the CI machine has 2 cores, and the preview server and Chromium need them
  reporter: isCi ? [['list'], ['html', { open: 'never', outputFolder: './playwright-report' }]] : 'list',
  timeout: 30_000,
  expect: { timeout: 5_000 },
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: 'on-first-retry',
    screenshot: 'only-on-failure',
    viewport: { width: 1360, height: 900 },
  },
  // The app (built, previewed) and the local LLM test server for provider errors and keys.
  webServer: [
    {
      command: `npm run build && npx vite preview --port ${PORT} --strictPort --host 127.0.0.1`,
      cwd: projectRoot,
      url: `http://127.0.0.1:${PORT}`,
      reuseExistingServer: !isCi,
      timeout: 300_000, // tsc -b and vite build on a 2-core machine
      stdout: 'pipe', // tsc reports type errors on stdout: keep them visible when the build fails
      stderr: 'pipe',
    },
    {
      command: `npm run -s cli -- test-server --port ${TEST_LLM_PORT}`,
      cwd: projectRoot,
      url: `http://127.0.0.1:${TEST_LLM_PORT}/__control`,
      reuseExistingServer: !isCi,
      timeout: 60_000,
    },
  ],
  projects: [
    {
      name: 'cpu',
      grepInvert: /@webgpu/,
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
            '--disable-quic',
            '--enable-unsafe-webgpu',
          ],
        },
      },
    },
  ],
});
