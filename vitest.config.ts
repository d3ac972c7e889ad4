import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['node_modules', 'web/**'],
    // Builds dist/ and web/dist first when missing or stale (every spawned `bin/keyward.js` runs dist/).
    globalSetup: ['test/browser/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
