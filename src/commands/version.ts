// The version printed by --version, read from the package's own package.json. The file sits two levels
// up from src/ when run through tsx and three from dist/src/ when built, so walk up until it is found.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth += 1) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'hotrestart-tutor' && manifest.version) return manifest.version;
    } catch {
      // Not here; keep walking up.
    }
    dir = dirname(dir);
  }
  return 'unknown';
}
