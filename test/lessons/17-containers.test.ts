// Lesson 17 end to end in plain mode, in both languages: every expectation must hold on this kernel. Then
// the printed output is read back for what the lesson is about: the server is PID 1 inside (NSpid …, 1)
// and answers x-pid 1; its successor shares its listening socket (one DESC letter) and is gone when PID 1
// exits while the load counts refused connections; a Node PID 1 drops SIGTERM and SIGKILL ends it; under
// hotrestart-run two upgrades lose nothing and PID 1 keeps its pid and its socket. Afterwards no process
// of any namespace is left. Where no PID namespace can be made, the lesson plays with every check ○.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/17-containers.js';
import { isAlive } from '../helpers/process.js';
import { collector, playChecked, startedPids, stepText } from '../helpers/lesson-output.js';
import { playPlain } from '../../src/lesson/plain.js';

/** Checks in all; the 4 of the tini step are ○ where tini is not installed, the Go one where go is not. */
const CHECKS = 32;
const OPTIONAL_CHECKS = 5;

function namespaceMissing(): string | null {
  for (const flags of [[], ['--user', '--map-root-user']]) {
    try {
      execFileSync('unshare', [...flags, '--pid', '--fork', '--mount-proc', 'true'], { stdio: 'ignore', timeout: 5000 });
      return null;
    } catch {
      // try the next way
    }
  }
  return 'unshare cannot make a PID namespace here (neither as root nor in a user namespace)';
}
const missing = namespaceMissing();
if (missing) console.log(`skipped: lesson 17 played with namespaces (${missing})`);

/** Every pid here the output names (not the pids inside a namespace): started ones, "is pid N here", "pid N here", the tables' pids. */
function everyPid(text: string): number[] {
  const named = [...text.matchAll(/(?:is pid (\d+) here|: pid (\d+) here|在这里是 pid (\d+))/g)].map((m) => Number(m[1] ?? m[2] ?? m[3]));
  const tabled = [...text.matchAll(/^ {2}[> ] +(\d+) +[\w-]+ +\d+ +(?:TCP|UNIX) /gm)].map((m) => Number(m[1]));
  return [...new Set([...startedPids(text), ...named, ...tabled])];
}

describe('lesson 17: containers', () => {
  // A stand-in unshare(1) that always fails, first on PATH: the lesson must say why and show every check ○.
  it('where unshare fails: plays to its end, every check ○ with the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'l17-no-unshare-'));
    writeFileSync(join(dir, 'unshare'), '#!/bin/sh\necho "unshare: unshare failed: Operation not permitted" >&2\nexit 1\n', { mode: 0o755 });
    const path = process.env.PATH;
    process.env.PATH = `${dir}:${path}`;
    try {
      const out = collector();
      const result = await playPlain(lesson, { lang: 'en', out: out.stream });
      expect(result.failedSteps).toBe(0);
      expect({ checks: result.checks, skipped: result.skipped }).toEqual({ checks: 0, skipped: CHECKS });
      expect(out.text()).toMatch(/no PID namespace can be made here: unshare --pid --fork --mount-proc: unshare: unshare failed: Operation not permitted/);
    } finally {
      process.env.PATH = path;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  for (const lang of ['en', 'zh'] as const) {
    it.skipIf(missing !== null)(`plays in ${lang} with every expectation holding`, async () => {
      const { result, text } = await playChecked(lesson, lang, CHECKS - OPTIONAL_CHECKS);
      expect(result.checks + result.skipped).toBe(CHECKS);

      // Step 1: PID 1 inside, another pid here; it knows itself as pid 1.
      const first = stepText(text, 1);
      const server = Number(/NSpid (\d+) 1\)/.exec(first)?.[1]);
      expect(server).toBeGreaterThan(1);
      expect(first).toMatch(/x-pid: 1\b/);
      // Step 2: the successor's fd 3 and the server's listener carry one DESC letter and one inode.
      const rows = [...stepText(text, 2).matchAll(/^ {2}> +(\d+) +(server|successor) +(\d+) +TCP +(\w+) .* (\d+) +\d+\/\d+ +127\.0\.0\.1:\d+ \(LISTEN\)$/gm)];
      expect(rows.map((m) => m[2])).toEqual(['server', 'successor']);
      expect(rows[1][3]).toBe('3');
      expect(rows[0][4]).toBe(rows[1][4]);
      expect(rows[0][5]).toBe(rows[1][5]);
      // Step 3: answers first, then refused connections.
      const [ok, refused] = /ok (\d+) · refused (\d+)/.exec(stepText(text, 3).split('\n').filter((line) => line.includes('load:')).at(-1) ?? '')!.slice(1).map(Number);
      expect(ok).toBeGreaterThan(0);
      expect(refused).toBeGreaterThan(0);
      // Step 4: SIGTERM in bare-pid1's SigCgt before the signal, not after; the Go twin exited with status 2.
      const signals = stepText(text, 4);
      const caught = [...signals.matchAll(/bare-pid1 SigCgt: (.*)/g)].map((m) => m[1].split(' '));
      expect(caught.length).toBe(2);
      expect(caught[0]).toContain('SIGTERM');
      expect(caught[1]).not.toContain('SIGTERM');
      if (!/go is not on PATH|PATH 上没有 go/.test(signals)) expect(signals).toMatch(/unshare-6 (exited with status 2|退出：状态 2)/);
      // Step 7: 0 failed through two upgrades; the same PID 1 and the same inode before and after.
      const upgrades = stepText(text, 7);
      expect(upgrades).toMatch(/ok \d+ · refused 0 · reset 0 · timeout 0 .*gen1: \d+, gen2: \d+, gen3: \d+/);
      const holder = /^ {2}> +(\d+) +hotrestart-run +\d+ +TCP .* (\d+) +\d+\/\d+ +127\.0\.0\.1:\d+ \(LISTEN\)$/m;
      const [before, after] = [stepText(text, 6), upgrades].map((step) => holder.exec(step)?.slice(1, 3));
      expect(before).toBeDefined();
      expect(after).toEqual(before);

      // Nothing is left: unshare, every PID 1, every generation, the plain Node.
      const pids = everyPid(text);
      expect(pids.length).toBeGreaterThanOrEqual(10);
      expect(pids.filter(isAlive)).toEqual([]);
    }, 60_000);
  }
});
