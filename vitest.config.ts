import { defineConfig } from 'vitest/config';

// `npm test`: needs Node alone. Tests that need a system tool (qpdf, poppler-utils, shellcheck, the
// AWS CLI) are named *.system.test.ts and run by `npm run test:system` (vitest.system.config.ts).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'test/**/*.system.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
