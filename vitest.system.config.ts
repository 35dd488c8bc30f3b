import { defineConfig } from 'vitest/config';

// `npm run test:system`: the tests that need a system tool — qpdf, poppler-utils (pdftotext, pdfinfo,
// pdffonts, pdfdetach), shellcheck, the AWS CLI, Debian's Chromium (.ci/run installs them first) or
// moto_server (pip: moto[server]; .ci/run stops when it is missing).
// Every file named *.system.test.ts under test/ is picked up.
export default defineConfig({
  test: {
    include: ['test/**/*.system.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
