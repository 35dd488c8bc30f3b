import { defineConfig } from 'vitest/config';

// `npm run test:system`: the tests that need qpdf, poppler-utils (pdftotext, pdfinfo, pdffonts,
// pdfdetach), shellcheck or the AWS CLI; .ci/run installs them first. Every file named
// *.system.test.ts under test/ is picked up.
export default defineConfig({
  test: {
    include: ['test/**/*.system.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
