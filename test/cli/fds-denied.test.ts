// `fds` on a process whose fds can be listed but not read: root without CAP_SYS_PTRACE (Docker's
// default) looking at another user's process. An empty table there would be a lie (FACTS 16); the
// process must come back `denied`, with the reason, exit 1, in the table and in --json alike.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, cleanEnv, expectOneSentence, root } from './helpers.js';
import type { FdsDocument } from '../../src/fdtable/json.js';

const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;
const isRoot = process.getuid?.() === 0;
const why = !hasSetpriv ? 'setpriv (util-linux) is not installed' : !isRoot ? 'dropping CAP_SYS_PTRACE from root needs root' : '';
if (why) console.log(`skipped: fds on a process it may list but not read (${why})`);

const DROP_PTRACE = ['--inh-caps=-sys_ptrace', '--bounding-set=-sys_ptrace'];

/** `sleep 60` under setpriv with these options; resolves once setpriv has exec'd sleep in place. */
async function startSleep(options: string[]): Promise<ChildProcess> {
  const child = spawn('setpriv', [...options, 'sleep', '60'], { stdio: 'ignore' });
  await once(child, 'spawn');
  for (let i = 0; i < 100; i++) {
    const status = spawnSync('cat', [`/proc/${child.pid}/status`], { encoding: 'utf8' }).stdout;
    if (/^Name:\s+sleep$/m.test(status)) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return child;
}

/** Runs the CLI as root with CAP_SYS_PTRACE removed from every capability set. */
function runWithoutPtrace(args: string[]) {
  return spawnSync(
    'setpriv',
    [...DROP_PTRACE, '--', process.execPath, '--import', 'tsx', cliPath, ...args],
    { cwd: root, env: cleanEnv(), encoding: 'utf8', timeout: 30_000 },
  );
}

describe.skipIf(why !== '')('fds without ptrace rights on another user\'s process', () => {
  let other: ChildProcess;
  let peer: ChildProcess;
  beforeAll(async () => {
    other = await startSleep(['--reuid=nobody', '--regid=nogroup', '--clear-groups']);
    // Root with the same reduced capabilities: ptrace access is allowed, so its fds must be read in full.
    peer = await startSleep(DROP_PTRACE);
  });
  afterAll(() => {
    other.kill('SIGKILL');
    peer.kill('SIGKILL');
  });

  it('says it may not read them, with what to do, exit 1; never "no open file descriptors"', () => {
    const result = runWithoutPtrace(['fds', String(other.pid)]);
    expect(result.status).toBe(1);
    const sentence = expectOneSentence(result);
    expect(sentence).toMatch(new RegExp(`^Not allowed to read the fds of pid ${other.pid}: .*CAP_SYS_PTRACE`));
    expect(result.stdout).not.toContain('no open file descriptors');
  });

  it('reports status denied in --json, with the reason, exit 1', () => {
    const result = runWithoutPtrace(['fds', '--json', String(other.pid)]);
    expect(result.status).toBe(1);
    const doc = JSON.parse(result.stdout) as FdsDocument;
    expect(doc.processes).toEqual([
      expect.objectContaining({ pid: other.pid, status: 'denied', message: expect.stringContaining('EACCES') }),
    ]);
    expect(doc.rows).toEqual([]);
  });

  it('still reads, in full, a process it has ptrace access to (a negative control)', () => {
    const result = runWithoutPtrace(['fds', '--json', String(peer.pid)]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const doc = JSON.parse(result.stdout) as FdsDocument;
    expect(doc.processes[0].status).toBe('ok');
    // 0-2 and whatever the test runner leaks into children; every one of them read.
    expect(doc.rows.map((row) => row.fd).slice(0, 3)).toEqual([0, 1, 2]);
    expect(doc.rows).toHaveLength(doc.processes[0].fdCount);
  });
});
