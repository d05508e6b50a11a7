// Builds the console into dist/ (or $CLEARANCE_CONSOLE_OUT, the build tree's console/dist when
// CMake builds it) with every asset under /identity/, where `clearance serve` serves it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = path.dirname(fileURLToPath(import.meta.url));
// CMake builds a copy of this folder in the build tree and names the header; in the source tree
// it is beside.
const catalogHeader =
  process.env.CLEARANCE_CATALOG_H || path.join(here, '..', 'engine', 'include', 'clearance', 'catalog.h');

// The resource types and the permissions each supports come from the engine's catalog.h, so
// the console offers exactly what the server accepts: `import catalog from 'virtual:catalog'`
// gives [{type: 'GROUP', permissions: ['CREATE', 'READ', ...]}, ...] in the header's order.
export function parseCatalog(text) {
  const block = (name) => {
    const start = text.indexOf(`#define ${name}(X)`);
    if (start < 0) throw new Error(`catalog.h: no #define ${name}(X)`);
    const end = text.indexOf('\n\n', start);
    return text.slice(start, end).replace(/\\\n/g, ' ');
  };
  const permissions = new Map();
  for (const m of block('CLEARANCE_PERMISSIONS').matchAll(/X\((k\w+),\s*"([A-Z_]+)"\)/g)) {
    permissions.set(m[1], m[2]);
  }
  const types = [];
  for (const m of block('CLEARANCE_RESOURCE_TYPES').matchAll(/X\(k\w+,\s*"([A-Z_]+)",\s*(true|false),([^)]*)\)/g)) {
    const perms = m[3].split(',').map((s) => s.trim()).filter(Boolean).map((k) => {
      if (!permissions.has(k)) throw new Error(`catalog.h: resource type ${m[1]} names unknown permission ${k}`);
      return permissions.get(k);
    });
    types.push({ type: m[1], byProperty: m[2] === 'true', permissions: perms });
  }
  if (types.length === 0) throw new Error('catalog.h: no resource types found');
  return types;
}

function catalogPlugin() {
  const id = 'virtual:catalog';
  return {
    name: 'clearance-catalog',
    resolveId: (source) => (source === id ? '\0' + id : null),
    load(resolved) {
      if (resolved !== '\0' + id) return null;
      this.addWatchFile(catalogHeader);
      const types = parseCatalog(readFileSync(catalogHeader, 'utf8'));
      return `export default ${JSON.stringify(types)};`;
    },
  };
}

export default defineConfig({
  base: '/identity/',
  plugins: [react(), catalogPlugin()],
  build: {
    outDir: process.env.CLEARANCE_CONSOLE_OUT || path.join(here, 'dist'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    // Compiling Carbon's Sass takes most of the build; that is known, not worth a warning.
    rolldownOptions: { checks: { pluginTimings: false } },
  },
  css: {
    preprocessorOptions: {
      scss: { quietDeps: true, silenceDeprecations: ['import', 'global-builtin'] },
    },
  },
  server: {
    // `npm run dev` against a running `clearance serve` on 8080.
    proxy: { '/v2': 'http://127.0.0.1:8080', '/clearance': 'http://127.0.0.1:8080' },
  },
});
