// The verifier against hostile programs: a crash, a hang, endless output, a fork loop, a daemonized
// grandchild that clears its environment, a fixed port already in use, and the verifier itself killed
// with SIGKILL. Each gets a ✘ with one sentence, the verify returns in bounded time, and no process of
// the program survives it (each program records its pids in a directory the test then checks).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../src/demo/marker.js';
import { findExercise, loadExercises, type Exercise } from '../../src/exercise/registry.js';
import { verifyWorkspace } from '../../src/exercise/verify.js';
import { createWorkspace } from '../../src/exercise/workspace.js';
import { runDirsIn } from '../helpers/leftovers.js';
import { waitFor } from '../helpers/wait.js';

const base = mkdtempSync(join(tmpdir(), 'hrt-hostile-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const closeDup = findExercise(await loadExercises(), 'close-dup')!;

/** A workspace of exercise 1 whose server.mjs is `source`; `pids` is where the program records pids. */
async function workspaceWith(name: string, source: (pids: string) => string): Promise<{ workspace: string; pids: string }> {
  const dir = join(base, name);
  const pids = join(dir, 'pids');
  const workspace = join(dir, closeDup.folder);
  await createWorkspace(closeDup as Exercise, 'node', 'solution', workspace);
  mkdirSync(pids, { recursive: true });
  writeFileSync(join(workspace, 'server.mjs'), source(pids));
  return { workspace, pids };
}

const recordPid = (pids: string) => `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(pids)} + '/' + process.pid, '');`;
const recorded = (pids: string) => readdirSync(pids).map(Number);
const survivors = (pids: string) => recorded(pids).filter((pid) => isAlive(pid));

async function verify(workspace: string, timeoutMs?: number) {
  const started = Date.now();
  const result = await verifyWorkspace(closeDup, { workspace, code: 'node', lang: 'en', timeoutMs });
  return { result, ms: Date.now() - started };
}

describe.concurrent('the verifier and a hostile program', () => {
  it('a crash: one sentence naming the error, every check ✘', { timeout: 30_000 }, async () => {
    const { workspace } = await workspaceWith('crash', () => `throw new Error('boom at start');\n`);
    const { result } = await verify(workspace);
    expect(result.fault?.kind).toBe('crash');
    expect(result.fault?.message.en).toMatch(/exited with code 1.*Error: boom at start/);
    expect(result.checks.every((check) => check.status !== 'pass')).toBe(true);
  });

  it('a hang that ignores SIGTERM: the verify ends at its deadline and kills it', { timeout: 30_000 }, async () => {
    const { workspace, pids } = await workspaceWith('hang', (dir) => `${recordPid(dir)}
import net from 'node:net';
process.on('SIGTERM', () => {});
net.createServer(() => {}).listen(0, '127.0.0.1'); // accepts, never answers
`);
    const { result, ms } = await verify(workspace, 6000);
    expect(result.passed).toBe(false);
    expect(ms).toBeLessThan(15_000);
    expect(recorded(pids).length).toBeGreaterThan(0);
    expect(survivors(pids)).toEqual([]);
  });

  it('endless output: stopped past 1 MiB, with one sentence', { timeout: 30_000 }, async () => {
    const { workspace, pids } = await workspaceWith('flood', (dir) => `${recordPid(dir)}
const chunk = 'x'.repeat(65536) + '\\n';
const flood = () => process.stdout.write(chunk, flood);
flood();
`);
    const { result } = await verify(workspace);
    expect(result.fault?.kind).toBe('output');
    expect(result.fault?.message.en).toMatch(/printed more than/);
    expect(survivors(pids)).toEqual([]);
  });

  it('a fork loop: bounded, every process killed', { timeout: 60_000 }, async () => {
    const { workspace, pids } = await workspaceWith('forks', (dir) => `${recordPid(dir)}
import { spawn } from 'node:child_process';
for (let i = 0; i < 3; i++) spawn(process.execPath, process.argv.slice(1), { stdio: 'ignore' });
setInterval(() => {}, 1000);
`);
    const { result } = await verify(workspace);
    expect(result.fault?.kind).toBe('fork-loop');
    expect(result.fault?.message.en).toMatch(/processes at once/);
    await waitFor(() => survivors(pids).length === 0, { timeout: 5000, message: 'every forked process gone' });
  });

  it('a daemonized grandchild with a cleared environment does not outlive the verify', { timeout: 30_000 }, async () => {
    const { workspace, pids } = await workspaceWith('daemon', (dir) => `${recordPid(dir)}
import { spawn } from 'node:child_process';
if (process.argv[2] === 'daemon') {
  setInterval(() => {}, 1000); // the grandchild: setsid, no environment, its parent gone
} else if (process.argv[2] === 'middle') {
  spawn(process.execPath, [process.argv[1], 'daemon'], { detached: true, stdio: 'ignore', env: {} }).unref();
  setTimeout(() => process.exit(0), 100);
} else {
  spawn(process.execPath, [process.argv[1], 'middle'], { detached: true, stdio: 'ignore', env: {} }).unref();
  console.log('ok');
  setTimeout(() => process.exit(0), 400);
}
`);
    const { result } = await verify(workspace);
    expect(result.passed).toBe(false);
    expect(recorded(pids).length).toBe(3);
    expect(survivors(pids)).toEqual([]);
  });

  it('a fixed port already in use: one sentence with EADDRINUSE', { timeout: 30_000 }, async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { workspace } = await workspaceWith('port', () => `import http from 'node:http';\nhttp.createServer((q, s) => s.end()).listen(${port}, '127.0.0.1');\n`);
      const { result } = await verify(workspace);
      expect(result.fault?.kind).toBe('crash');
      expect(result.fault?.message.en).toMatch(/EADDRINUSE/);
      expect(result.fault?.message.en.split('\n')).toHaveLength(1);
    } finally {
      blocker.close();
    }
  });

  it('SIGKILL of the verifier: the program ends anyway', { timeout: 40_000 }, async () => {
    const { workspace, pids } = await workspaceWith('killed', (dir) => `${recordPid(dir)}
import http from 'node:http';
import { spawn } from 'node:child_process';
process.on('SIGTERM', () => {});
if (process.argv[2] !== 'child') spawn(process.execPath, [process.argv[1], 'child'], { stdio: 'ignore', detached: true });
else setInterval(() => {}, 1000);
if (process.argv[2] !== 'child') http.createServer(() => {}).listen(0, '127.0.0.1'); // never answers: the verify waits
`);
    const tmp = join(base, 'killed', 'tmp');
    mkdirSync(tmp);
    const cli = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../../src/cli.ts'), 'verify', '--dir', workspace], {
      stdio: 'ignore', env: { ...process.env, HOTRESTART_TUTOR_HOME: join(base, 'killed'), TMPDIR: tmp },
    });
    await waitFor(() => recorded(pids).length === 2, { timeout: 20_000, message: 'program and child started' });
    cli.kill('SIGKILL');
    await waitFor(() => survivors(pids).length === 0, { timeout: 5000, message: 'every program process gone after SIGKILL of the verifier' });
    // Nor its private directory (EXERCISE_DIR): the keeper, re-parented, removes it.
    await waitFor(() => runDirsIn(tmp).length === 0, { timeout: 5000, message: `no run directory left in ${tmp}: ${runDirsIn(tmp).join(', ')}` });
  });
});
