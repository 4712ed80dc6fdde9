// How to start one of the demo's own Node entry modules (puppet, warden) as a separate process, both
// when the tutor runs from TypeScript sources (tests, `npx tsx ...`) and from the compiled dist/ tree.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface NodeCommand {
  file: string;
  args: string[];
}

/** URL of the sibling entry module `name` (`puppet`, `warden`), with this module's own extension:
 *  .ts beside .ts sources, .js beside compiled ones. */
export function entryUrl(name: string, fromUrl: string = import.meta.url): string {
  const extension = fromUrl.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${extension}`, fromUrl).href;
}

/** The command that runs the module at moduleUrl under this very Node binary. A .ts module is loaded
 *  through tsx, registered by absolute URL so it resolves whatever the child's working directory is. */
export function nodeCommand(moduleUrl: string): NodeCommand {
  const path = fileURLToPath(moduleUrl);
  if (!path.endsWith('.ts')) return { file: process.execPath, args: [path] };
  return { file: process.execPath, args: ['--import', tsxLoaderUrl(), path] };
}

let tsxLoader: string | undefined;
export function tsxLoaderUrl(): string {
  // require.resolve('tsx') gives the CommonJS entry; the ESM loader for --import is the package's "." export,
  // dist/loader.mjs, which sits beside package.json.
  tsxLoader ??= pathToFileURL(createRequire(import.meta.url).resolve('tsx/package.json').replace(/package\.json$/, 'dist/loader.mjs')).href;
  return tsxLoader;
}
