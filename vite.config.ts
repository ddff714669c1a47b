// Builds the Preact web app from web/ into dist/web, which `vigil serve` serves on the API's port.
// In development (`npm run dev:web`) Vite proxies /api to a running `vigil serve`.
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const apiTarget = process.env.VIGIL_API ?? 'http://127.0.0.1:8787';

export default defineConfig({
  root: 'web',
  plugins: [preact()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 900,
  },
  server: {
    proxy: { '/api': { target: apiTarget, changeOrigin: false } },
  },
});
