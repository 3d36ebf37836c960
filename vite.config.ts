import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The web console (contract §11): built into dist/console, which the service serves at `/`
// (src/http/console.ts). Everything is bundled, nothing comes from a CDN.
export default defineConfig({
  root: "console",
  base: "/",
  plugins: [react()],
  build: {
    outDir: "../dist/console",
    emptyOutDir: true,
    sourcemap: false,
    // cytoscape alone is ~430 kB; it is loaded only by the entity page (a lazy chunk).
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npx vite` for development: the API of a service running on :3000.
    proxy: { "/api": "http://127.0.0.1:3000", "/metrics": "http://127.0.0.1:3000", "/readyz": "http://127.0.0.1:3000" },
  },
});
