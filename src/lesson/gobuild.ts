// The one Go builder, for the lessons and the exercises alike. A lesson builds a program from
// lessons/assets/code/ and runs it as one more process of the lesson; an exercise builds the learner's
// workspace. Binaries are cached by the hash of their sources (per user, in a 0700 directory), so a
// lesson played twice, --watch, a class of thirty and the tests build each distinct program once.
// Without `go` on PATH a lesson says in one line what it shows instead and how to get Go.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUN_MARKER } from '../demo/sweep.mjs';
import { CODE_DIR } from './excerpt.js';
import { isExecutable, onPath } from './executable.js';
import { LessonActionError, type Text } from './types.js';

/** The one line a step shows when there is no Go toolchain. */
export const NO_GO: Text = {
  en: 'go is not on PATH, so this step shows only the Node equivalent (its code above, its tables in the earlier steps); to run the real Go program: apt-get install golang-go (or go.dev/dl).',
  zh: 'PATH 上没有 go，所以这一步只展示 Node 的等价做法（代码见上方，fd 表见前面几步）；要运行真正的 Go 程序：apt-get install golang-go（或从 go.dev/dl 下载）。',
};

/** The go binary on PATH, or null. */
export function findGo(env: NodeJS.ProcessEnv = process.env): string | null {
  return onPath('go', env).find(isExecutable) ?? null;
}

/** Per-user cache directory, mode 0700, owned by us (a directory planted by someone else is refused). */
export function userCacheDir(): string {
  const dir = join(tmpdir(), `hotrestart-tutor-cache-${process.getuid?.() ?? 'u'}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const info = statSync(dir);
  if (info.uid !== process.getuid?.() || (info.mode & 0o077) !== 0) {
    throw new LessonActionError({
      en: `the cache directory ${dir} is not private to this user (owner ${info.uid}, mode ${(info.mode & 0o777).toString(8)}): remove it and try again`,
      zh: `缓存目录 ${dir} 不是当前用户私有的（属主 ${info.uid}，权限 ${(info.mode & 0o777).toString(8)}）：删除它后再试`,
    });
  }
  return dir;
}

/** Go's environment for building and vetting: its caches in the user's cache directory (HOME may be
 *  unset: a service, a container), the standard library only (there is no module proxy). */
export function goEnv(cache = userCacheDir()): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? cache,
    GOCACHE: process.env.GOCACHE || join(cache, 'gocache'),
    GOPATH: process.env.GOPATH || join(cache, 'gopath'),
    GOFLAGS: '-mod=mod',
    GOPROXY: 'off',
    GOTOOLCHAIN: 'local',
    GO111MODULE: 'on',
    CGO_ENABLED: '0',
  };
}

/** A compile error: the first lines of go's output. */
export class GoBuildError extends Error {
  constructor(readonly output: string) {
    super(output);
    this.name = 'GoBuildError';
  }
}

export interface GoSources {
  /** The directory go build runs in. */
  dir: string;
  /** The files whose contents decide the binary (their names are hashed too). */
  files: string[];
  /** What go build builds: '.' (the package in dir) or one file of it. */
  target: string;
  /** The binary's file name: what ps and the fd tables show as its command. */
  name: string;
}

/**
 * Builds sources once per distinct content; the binary's path, or null when go is not installed.
 * A compile error throws a GoBuildError.
 */
export async function buildCached(sources: GoSources, options: { timeoutMs?: number; signal?: AbortSignal; env?: Record<string, string> } = {}): Promise<string | null> {
  const go = findGo();
  if (!go) return null;
  const cache = userCacheDir();
  const hash = createHash('sha256').update(go).update(`\0${sources.target}\0`);
  for (const file of [...sources.files].sort()) hash.update(`\0${file}\0`).update(readFileSync(join(sources.dir, file)));
  const binary = join(cache, 'bin', hash.digest('hex').slice(0, 24), sources.name);
  if (existsSync(binary)) return binary;
  const staging = join(cache, 'bin', `.build-${randomBytes(6).toString('hex')}`);
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  try {
    const output = await new Promise<string | null>((resolve) => {
      const args = ['build', '-o', join(staging, sources.name), sources.target];
      execFile(go, args, { cwd: sources.dir, env: { ...goEnv(cache), ...options.env }, timeout: options.timeoutMs ?? 180_000, maxBuffer: 1 << 20, signal: options.signal }, (error, _stdout, stderr) =>
        resolve(error ? stderr || error.message : null),
      );
    });
    if (output !== null) {
      const lines = output.split('\n').filter((line) => line && !line.startsWith('#')).slice(0, 3).join(' | ');
      throw new GoBuildError(lines || output.trim());
    }
    mkdirSync(dirname(binary), { recursive: true, mode: 0o700 });
    try {
      renameSync(join(staging, sources.name), binary);
    } catch {
      // Another build of the same sources finished at the same moment: theirs is as good.
    }
    return binary;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Builds lessons/assets/code/<file> (cached); the binary's path, or undefined when go is not installed.
 *  The build carries the run's marker, so a tutor killed mid-build leaves no go or compile process behind:
 *  the warden ends them with the rest of the run. Its work directory (go-build*, which a killed go leaves)
 *  is made under the run's private directory, which the warden removes. */
export async function buildGo(file: string, run: { signal?: AbortSignal; supervisor: { runId: string; dir: string } }): Promise<string | undefined> {
  const source = fileURLToPath(new URL(file, CODE_DIR));
  try {
    const sources = { dir: dirname(source), files: [basename(source)], target: basename(source), name: basename(source, '.go') };
    // Not after a stop: go would outlive the sweep that ended the run, and its work directory would be
    // made again under a run that is being removed. (Nothing awaits between here and go's start.)
    if (run.signal?.aborted) throw new GoBuildError('the build was not started: the demo was stopped');
    const work = join(run.supervisor.dir, 'go-tmp');
    mkdirSync(work, { recursive: true, mode: 0o700 });
    const env = { [RUN_MARKER]: run.supervisor.runId, TMPDIR: work };
    const binary = await buildCached(sources, { timeoutMs: 120_000, signal: run.signal, env });
    return binary ?? undefined;
  } catch (error) {
    const output = error instanceof GoBuildError ? error.output : (error as Error).message;
    throw new LessonActionError({ en: `go build ${file} failed${output ? `: ${output}` : ''}`, zh: `go build ${file} 失败了${output ? `：${output}` : ''}` });
  }
}
