// From TypeScript sources (tests, `npm start`) the syscall API (and the keeper) is .ts, which plain node cannot load.
// Loading tsx into the learner's processes would add an esbuild service process to the very tree the
// verifier counts, so instead the API is bundled once into plain ESM with esbuild (tsx's own
// dependency) under node_modules/.cache, where `require('koffi')` still resolves. The compiled
// package (dist/) never needs this: its sys-api.js is already JavaScript.
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface Esbuild {
  buildSync(options: Record<string, unknown>): unknown;
}

function newestSource(dirs: string[]): number {
  let newest = 0;
  for (const dir of dirs) for (const name of readdirSync(dir)) if (name.endsWith('.ts')) newest = Math.max(newest, statSync(join(dir, name)).mtimeMs);
  return newest;
}

/** file: URL of a plain-JavaScript build of sourceUrl (a .ts module under src/exercise), rebuilt when a
 *  source is newer. The keeper is bundled the same way: under tsx it would start an esbuild service
 *  as its own child, inside the very tree it watches. */
export function bundled(sourceUrl: string): string {
  const source = fileURLToPath(sourceUrl);
  const projectRoot = join(dirname(source), '..', '..');
  const out = join(projectRoot, 'node_modules', '.cache', 'hotrestart-tutor', basename(source).replace(/\.ts$/, '.mjs'));
  const sources = [dirname(source), join(projectRoot, 'src', 'sys')];
  if (!existsSync(out) || statSync(out).mtimeMs < newestSource(sources)) {
    mkdirSync(dirname(out), { recursive: true });
    const esbuild = createRequire(import.meta.url)('esbuild') as Esbuild;
    const temporary = `${out}.${process.pid}.tmp.mjs`;
    esbuild.buildSync({ entryPoints: [source], bundle: true, platform: 'node', format: 'esm', target: 'node20', external: ['koffi'], outfile: temporary, logLevel: 'silent' });
    renameSync(temporary, out);
  }
  return pathToFileURL(out).href;
}
