import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';
import { resolveBuildConfig } from './src/shared/build-config';

/**
 * Three projects, one run (so one summary line):
 * - unit: WXT's fake browser, no network (test/unit)
 * - node: integration over real HTTP on 127.0.0.1 and architecture rules (test/integration, test/architecture)
 * - e2e: the built extension in headless Chromium and Firefox ESR (test/e2e), one file at a time
 */
// Every suite runs in UTC, as in CI: tests fix instants in UTC and read local days and times from
// them, and the browsers the e2e tests start inherit the zone. Tests of other zones set their own.
process.env.TZ = 'UTC';

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [WxtVitest()],
        // Unit tests always see the development configuration, whatever the shell's WXT_* variables say.
        define: { __CARDIOMOOD_CONFIG__: JSON.stringify(resolveBuildConfig({}, 'development')) },
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.{ts,tsx}', 'test/soak/**/*.test.ts'],
          restoreMocks: true,
        },
      },
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/integration/**/*.test.ts', 'test/architecture/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
