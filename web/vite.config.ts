/** Vite config of the dashboard: `vite build web` (npm run build) and `keyward serve` both use it. */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const target = process.env.KEYWARD_DEV_API ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 400 },
  // `npx vite web` next to a running `keyward serve`: the dashboard with hot reload, the API proxied.
  server: { proxy: { '/api': target, '/v1': target } },
});
