// The tests run on the compiled JavaScript (tsc emits the decorator metadata Nest's injection needs).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['dist/test/**/*.test.js'],
    exclude: ['**/node_modules/**'],
    testTimeout: 30000,
    hookTimeout: 60000,
    fileParallelism: false,
    globalSetup: ['dist/test/support/global-setup.js'],
  },
});
