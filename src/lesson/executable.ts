// Finding the real programs some steps run (go, nginx, pm2): an absolute path this user may execute, and
// the candidates PATH names, in PATH's order.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** An absolute path to a regular file this user may execute. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return path.startsWith('/') && statSync(path).isFile();
  } catch {
    return false;
  }
}

/** `dir/name` for every directory on PATH, in order. */
export function onPath(name: string, env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name));
}
