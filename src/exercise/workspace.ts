// A learner's workspace: the task (README.md, README.zh-CN.md), the starter files of one language, and
// what makes it run with no install step: hotrestart-sys.mjs (Node: the syscall API) or go.mod (Go,
// standard library only). The same function lays out the maintainer test's solutions and wrong variants.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sysApiUrl } from './build.js';
import type { Exercise } from './registry.js';
import type { Code, WrongVariant } from './types.js';

export const WORKSPACE_META = '.hotrestart-exercise.json';
export const WORKSPACE_SCHEMA = 'hotrestart-tutor/workspace@1';
export const SYS_SHIM = 'hotrestart-sys.mjs';
export const DEFAULT_ROOT = 'hotrestart-exercises';

export interface WorkspaceMeta {
  schema: typeof WORKSPACE_SCHEMA;
  exercise: string;
  code: Code;
  createdAt: string;
}

export type Variant = 'starter' | 'solution' | WrongVariant;

/** The default workspace of an exercise: ./hotrestart-exercises/NN-id (or DIR/NN-id with --dir DIR). */
export function workspacePath(exercise: Exercise, root: string | undefined, cwd: string): string {
  return resolve(cwd, root ?? DEFAULT_ROOT, exercise.folder);
}

/** One edit of a wrong variant's patch.json: `from` must occur exactly once in the solution's `file`. */
export interface VariantEdit {
  file: string;
  from: string;
  to: string;
}

/** The program files of a variant, as name -> text. A wrong variant is the solution of its language
 *  with the edits of wrong/<dir>/patch.json applied (the mistake, and nothing else, in one place), then
 *  any other files of wrong/<dir> laid over it. */
export function variantFiles(exercise: Exercise, code: Code, variant: Variant): Map<string, string> {
  const files = new Map<string, string>();
  const add = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      if (name !== 'patch.json' && statSync(join(dir, name)).isFile()) files.set(name, readFileSync(join(dir, name), 'utf8'));
    }
  };
  if (typeof variant === 'string') {
    add(join(exercise.assetDir, code, variant));
    return files;
  }
  add(join(exercise.assetDir, code, 'solution'));
  const patch = join(exercise.assetDir, 'wrong', variant.dir, 'patch.json');
  if (existsSync(patch)) {
    for (const edit of JSON.parse(readFileSync(patch, 'utf8')) as VariantEdit[]) {
      const text = files.get(edit.file);
      const count = text === undefined ? 0 : text.split(edit.from).length - 1;
      if (count !== 1) throw new Error(`wrong/${variant.dir}/patch.json: "${edit.from.slice(0, 40)}" occurs ${count} times in ${edit.file}, not once`);
      files.set(edit.file, text!.replace(edit.from, () => edit.to));
    }
  }
  add(join(exercise.assetDir, 'wrong', variant.dir));
  return files;
}

let shimExports: string[] | undefined;
async function shimText(): Promise<string> {
  shimExports ??= Object.keys(await import(sysApiUrl())).filter((name) => name !== 'default').sort();
  return [
    '// Written by hotrestart-tutor: the tutor\'s syscall API for Node (dup, fcntl, SCM_RIGHTS, ...).',
    '// Use it as `import * as sys from \'./hotrestart-sys.mjs\'`. The verifier points HOTRESTART_TUTOR_SYS',
    '// at its own copy; run by hand, the address below is used. Documented in the tutor\'s README.',
    `const sys = await import(process.env.HOTRESTART_TUTOR_SYS || ${JSON.stringify(sysApiUrl())});`,
    `export const { ${shimExports.join(', ')} } = sys;`,
    '',
  ].join('\n');
}

/** Creates dir (which must not exist) with the task and the variant's files. Returns the files written. */
export async function createWorkspace(exercise: Exercise, code: Code, variant: Variant, dir: string): Promise<string[]> {
  if (existsSync(dir)) throw new Error(`${dir} already exists`);
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const put = (name: string, write: () => void) => {
    write();
    written.push(name);
  };
  for (const readme of ['README.md', 'README.zh-CN.md']) {
    const source = join(exercise.assetDir, readme);
    if (existsSync(source)) put(readme, () => copyFileSync(source, join(dir, readme)));
  }
  written.push(...(await writeProgramFiles(exercise, code, variant, dir)));
  const meta: WorkspaceMeta = { schema: WORKSPACE_SCHEMA, exercise: exercise.folder, code, createdAt: new Date().toISOString() };
  put(WORKSPACE_META, () => writeFileSync(join(dir, WORKSPACE_META), `${JSON.stringify(meta, null, 2)}\n`));
  return written;
}

/** Writes (over what is there) the variant's program files and what the language needs to run. */
export async function writeProgramFiles(exercise: Exercise, code: Code, variant: Variant, dir: string): Promise<string[]> {
  const written: string[] = [];
  for (const [name, text] of variantFiles(exercise, code, variant)) {
    writeFileSync(join(dir, name), text);
    written.push(name);
  }
  if (code === 'node') {
    writeFileSync(join(dir, SYS_SHIM), await shimText());
    written.push(SYS_SHIM);
  } else if (!existsSync(join(dir, 'go.mod'))) {
    writeFileSync(join(dir, 'go.mod'), 'module hotrestartexercise\n\ngo 1.19\n');
    written.push('go.mod');
  }
  return written;
}

export function readWorkspaceMeta(dir: string): WorkspaceMeta | null {
  try {
    const meta = JSON.parse(readFileSync(join(dir, WORKSPACE_META), 'utf8')) as WorkspaceMeta;
    return meta.schema === WORKSPACE_SCHEMA && (meta.code === 'node' || meta.code === 'go') ? meta : null;
  } catch {
    return null;
  }
}
