// Real Go, where the machine has it: a lesson builds a program from lessons/assets/code/ into the run's
// private directory and runs it as one more process of the lesson. Without `go` on PATH the build answers
// undefined and the lesson says in one line what it shows instead and how to get Go.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CODE_DIR } from './excerpt.js';
import { LessonActionError, type Text } from './types.js';

/** The one line a step shows when there is no Go toolchain. */
export const NO_GO: Text = {
  en: 'go is not on PATH, so this step shows only the Node equivalent (its code above, its tables in the earlier steps); to run the real Go program: apt-get install golang-go (or go.dev/dl).',
  zh: 'PATH 上没有 go，所以这一步只展示 Node 的等价做法（代码见上方，fd 表见前面几步）；要运行真正的 Go 程序：apt-get install golang-go（或从 go.dev/dl 下载）。',
};

/** Go's build cache survives runs (a cold build takes seconds, a warm one a fraction), private to this user. */
export function goEnv(): NodeJS.ProcessEnv {
  const cache = join(tmpdir(), `hotrestart-tutor-go-${process.getuid?.() ?? 'user'}`);
  mkdirSync(cache, { recursive: true, mode: 0o700 });
  // HOME may be unset (a service, a container): Go then needs GOCACHE and GOPATH spelled out.
  return { ...process.env, GOCACHE: process.env.GOCACHE || join(cache, 'cache'), GOPATH: process.env.GOPATH || join(cache, 'path'), GOFLAGS: '', GO111MODULE: 'on', CGO_ENABLED: '0' };
}

/** Builds lessons/assets/code/<file> into `dir`; the binary's path, or undefined when go is not installed. */
export async function buildGo(file: string, dir: string, signal?: AbortSignal): Promise<string | undefined> {
  const source = fileURLToPath(new URL(file, CODE_DIR));
  const binary = join(dir, basename(file, '.go'));
  try {
    await promisify(execFile)('go', ['build', '-o', binary, source], { env: goEnv(), cwd: dir, timeout: 120_000, signal });
    return binary;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim().split('\n').slice(0, 2).join(' ');
    throw new LessonActionError(`go build ${file} failed${stderr ? `: ${stderr}` : ''}`);
  }
}

/** True when a Go toolchain is on PATH (`go version` runs). */
export function goInstalled(): boolean {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore', env: goEnv() });
    return true;
  } catch {
    return false;
  }
}
