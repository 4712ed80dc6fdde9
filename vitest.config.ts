// The restart module is a workspace package (packages/restart) whose "hotrestart-source" export
// condition points at its TypeScript sources: tests, and every process they start (NODE_OPTIONS is
// inherited), use the sources, with no build of the package first.
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

const SOURCE = 'hotrestart-source';
if (!process.env.NODE_OPTIONS?.includes(`--conditions=${SOURCE}`)) {
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --conditions=${SOURCE}`.trim();
}

export default defineConfig({
  resolve: { conditions: [SOURCE, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [SOURCE, ...defaultServerConditions], externalConditions: [SOURCE] } },
});
