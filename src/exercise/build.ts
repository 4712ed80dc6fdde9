// What command runs a workspace: node on its entry file, or the binary `go build` makes of it. Go
// binaries are cached by the hash of the sources (per user, in a 0700 directory), so --watch, a class
// of thirty and the maintainer test build each distinct program once.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { bundled } from './sys-bundle.js';
import { FaultError } from './context.js';
import { faultText } from './text.js';
import type { Code, Text } from './types.js';

export interface ProgramCommand {
  command: string;
  args: string[];
  /** Entries the program's environment needs to run this way. */
  env: Record<string, string>;
}

/** URL of the syscall API module, as the workspace's hotrestart-sys.mjs imports it: plain JavaScript
 *  in both the compiled package and a source checkout (see sys-bundle.ts). */
export function sysApiUrl(): string {
  if (!import.meta.url.endsWith('.ts')) return new URL('./sys-api.js', import.meta.url).href;
  return bundled(new URL('./sys-api.ts', import.meta.url).href);
}

export function nodeProgram(workspace: string, entry: string): ProgramCommand {
  return { command: process.execPath, args: [join(workspace, entry)], env: { HOTRESTART_TUTOR_SYS: sysApiUrl() } };
}

/** The go binary on PATH, or null. */
export function findGo(env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'go');
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export const noGoText: Text = {
  en: 'Go exercises need the Go toolchain (a `go` command on PATH): install it with `apt-get install golang-go` (Debian, Ubuntu) or from https://go.dev/dl/.',
  zh: 'Go 练习需要 Go 工具链（PATH 上要有 `go` 命令）：用 `apt-get install golang-go`（Debian、Ubuntu）安装，或从 https://go.dev/dl/ 下载。',
};

/** Per-user cache directory, mode 0700, owned by us (a directory planted by someone else is refused). */
export function userCacheDir(): string {
  const dir = join(tmpdir(), `hotrestart-tutor-cache-${process.getuid?.() ?? 'u'}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const info = statSync(dir);
  if (info.uid !== process.getuid?.() || (info.mode & 0o077) !== 0) throw new Error(`the cache directory ${dir} is not private to this user`);
  return dir;
}

function goEnv(cache: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? cache,
    GOCACHE: process.env.GOCACHE ?? join(cache, 'gocache'),
    GOPATH: process.env.GOPATH ?? join(cache, 'gopath'),
    GOFLAGS: '-mod=mod',
    GOPROXY: 'off', // there is no module proxy: standard library only
    GOTOOLCHAIN: 'local',
    GO111MODULE: 'on',
    CGO_ENABLED: '0',
  };
}

function sourceHash(workspace: string, goPath: string): string {
  const hash = createHash('sha256').update(goPath);
  for (const name of readdirSync(workspace).sort()) {
    if (!name.endsWith('.go') && name !== 'go.mod') continue;
    hash.update(`\0${name}\0`).update(readFileSync(join(workspace, name)));
  }
  return hash.digest('hex').slice(0, 24);
}

/** Builds the workspace's package main (cached); a compile error is a 'build' fault. */
export async function goProgram(workspace: string, timeoutMs = 180_000): Promise<ProgramCommand> {
  const go = findGo();
  if (!go) throw new FaultError({ kind: 'setup', message: noGoText });
  const cache = userCacheDir();
  const binary = join(cache, 'bin', sourceHash(workspace, go), 'program');
  if (existsSync(binary)) return { command: binary, args: [], env: {} };
  const staging = join(cache, 'bin', `.build-${randomBytes(6).toString('hex')}`);
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  try {
    const output = await new Promise<string | null>((resolve) => {
      execFile(go, ['build', '-o', join(staging, 'program'), '.'], { cwd: workspace, env: goEnv(cache), timeout: timeoutMs, maxBuffer: 1 << 20 }, (error, _stdout, stderr) =>
        resolve(error ? (stderr || error.message) : null),
      );
    });
    if (output !== null) {
      const lines = output.split('\n').filter((line) => line && !line.startsWith('#')).slice(0, 3).join(' | ');
      throw new FaultError({ kind: 'build', message: faultText.build(lines || output.trim()) });
    }
    mkdirSync(join(binary, '..'), { recursive: true, mode: 0o700 });
    try {
      renameSync(join(staging, 'program'), binary);
    } catch {
      // Another verify built the same sources at the same moment: theirs is as good.
    }
    return { command: binary, args: [], env: {} };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

export async function programFor(code: Code, workspace: string, entry: { node: string; go: string }): Promise<ProgramCommand> {
  return code === 'go' ? goProgram(workspace) : nodeProgram(workspace, entry.node);
}
