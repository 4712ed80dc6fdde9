// What command runs a workspace: node on its entry file, or the binary `go build` makes of it (the one Go
// builder, shared with the lessons, is lesson/gobuild.ts: binaries cached by the hash of the sources).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildCached, GoBuildError } from '../lesson/gobuild.js';
import { bundled } from './sys-bundle.js';
import { FaultError } from './context.js';
import { faultText } from './text.js';
import type { Code, Text } from './types.js';

// Where the exercise commands and tests have always found them.
export { findGo } from '../lesson/gobuild.js';

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

export const noGoText: Text = {
  en: 'Go exercises need the Go toolchain (a `go` command on PATH): install it with `apt-get install golang-go` (Debian, Ubuntu) or from https://go.dev/dl/.',
  zh: 'Go 练习需要 Go 工具链（PATH 上要有 `go` 命令）：用 `apt-get install golang-go`（Debian、Ubuntu）安装，或从 https://go.dev/dl/ 下载。',
};

/** Builds the workspace's package main (cached: see lesson/gobuild.ts); a compile error is a 'build' fault. */
export async function goProgram(workspace: string, timeoutMs = 180_000): Promise<ProgramCommand> {
  const files = readdirSync(workspace).filter((name) => name.endsWith('.go') || name === 'go.mod');
  try {
    const binary = await buildCached({ dir: workspace, files, target: '.', name: 'program' }, { timeoutMs });
    if (!binary) throw new FaultError({ kind: 'setup', message: noGoText });
    return { command: binary, args: [], env: {} };
  } catch (error) {
    if (error instanceof GoBuildError) throw new FaultError({ kind: 'build', message: faultText.build(error.output) });
    throw error;
  }
}

export async function programFor(code: Code, workspace: string, entry: { node: string; go: string }): Promise<ProgramCommand> {
  return code === 'go' ? goProgram(workspace) : nodeProgram(workspace, entry.node);
}
