import { defineConfig } from 'vitest/config';

// CI and this project's machines are small shared VMs (2 cores, often loaded): a test that reads a
// PDF or starts a process takes a few seconds there. The limits catch a hang, not a slow machine;
// speed is measured by `npm run bench`, never by a test's timeout.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
