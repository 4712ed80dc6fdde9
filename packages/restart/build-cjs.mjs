// The CommonJS build: one bundle of the ESM build (koffi stays external), beside a copy of the
// declarations in a "type": "commonjs" scope, so `require('@hotrestart-tutor/restart')` gets code and types.
// import.meta.url (used to find koffi) has no meaning in CommonJS; the bundle gets it from __filename.
import { build } from 'esbuild';
import { cpSync, readdirSync, writeFileSync } from 'node:fs';

await build({
  entryPoints: ['dist/esm/index.js'],
  outfile: 'dist/cjs/index.js',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['koffi'],
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
for (const entry of readdirSync('dist/esm', { recursive: true, encoding: 'utf8' })) {
  if (entry.endsWith('.d.ts')) cpSync(`dist/esm/${entry}`, `dist/cjs/${entry}`);
}
writeFileSync('dist/cjs/package.json', '{ "type": "commonjs" }\n');
