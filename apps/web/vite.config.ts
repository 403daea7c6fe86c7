import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const source = (path: string) => fileURLToPath(new URL(`../../packages/${path}`, import.meta.url));

// The UI builds from the SDK's and core's sources, so it never waits for (or drifts from) their builds.
export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: {
      '@herald/sdk/browser': source('sdk/src/browser.ts'),
      '@herald/core': source('core/src/index.ts'),
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 300,
  },
  server: {
    proxy: { '/api': { target: 'http://127.0.0.1:4200', ws: true } },
  },
});
