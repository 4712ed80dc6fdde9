// Lesson 13 end to end in plain mode: every expectation must hold on this kernel. Then what the learner
// saw is read back: the summary table (naive refused, SO_REUSEPORT reset at least the queue the fd table
// showed at the close, handover lost nothing), the step-5 table (hot-1's listener and hot-2's fd 3 are one
// description, one inode), the module's drain line, and that no process of any generation is left.
import { describe, expect, it } from 'vitest';
import { hasGo, sayIfNoGo } from '../helpers/go.js';
import { lesson } from '../../lessons/13-whole-hot-restart.js';
import { readSysctl } from '../../src/lesson/sysctl.js';
import { isAlive } from '../helpers/process.js';
import { playChecked, startedPids, stepText } from '../helpers/lesson-output.js';

/** Step 7 runs the real Go handover (5 checks) where go is installed; elsewhere it says so and skips them. */
sayIfNoGo('lesson 13 plays the real Go handover (step 7) without its checks');

interface SummaryRow {
  ok: number;
  failed: number;
  refused: number;
  reset: number;
  timeout: number;
  gapMs: number;
  pids: [number, number];
}

/** The three rows of the summary table (naive, SO_REUSEPORT, handover), in either language. */
function summary(step: string): SummaryRow[] {
  return [...step.matchAll(/^ {2}· .+? +(\d+) +(\d+) \((\d+)\/(\d+)\/(\d+)\) +(\d+) ms +(\d+) → (\d+)$/gm)].map((m) => {
    const [ok, failed, refused, reset, timeout, gapMs, from, to] = m.slice(1).map(Number);
    return { ok, failed, refused, reset, timeout, gapMs, pids: [from, to] };
  });
}

/** The LISTEN rows of hot-1 and hot-2 in a printed table: fd, DESC letter, inode. */
function hotListeners(step: string): Record<string, { fd: number; desc: string; inode: number }> {
  const rows = [...step.matchAll(/^ {2}[> ] +\d+ +(hot-\d) +(\d+) +TCP +(\w+) +\S+ +\S+ +\S+ +(\d+) +\d+\/\d+ +127\.0\.0\.1:\d+ \(LISTEN\)$/gm)];
  return Object.fromEntries(rows.map((m) => [m[1], { fd: Number(m[2]), desc: m[3], inode: Number(m[4]) }]));
}

describe('lesson 13: the whole hot restart', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`plays in ${lang} with every expectation holding`, async () => {
      const migrateBefore = readSysctl('net.ipv4.tcp_migrate_req');
      const { text } = await playChecked(lesson, lang, hasGo ? 26 : 21);

      const [naive, reuseport, handover] = summary(stepText(text, 8));
      expect(naive.refused).toBeGreaterThan(0);
      // The gap spans naive-2's start-up, which from TypeScript sources alone takes longer than this.
      expect(naive.gapMs).toBeGreaterThan(100);
      expect(handover).toMatchObject({ failed: 0, refused: 0, reset: 0, timeout: 0 });
      expect(handover.ok).toBeGreaterThan(0);
      // Nothing refused with a socket always listening; what waited in reuse-1's queue at the close was reset.
      expect(reuseport.refused).toBe(0);
      const queued = Number(/reuse-1 fd \d+ QUEUE (\d+)\/511/.exec(stepText(text, 4))?.[1]);
      expect(queued).toBeGreaterThan(0);
      if (readSysctl('net.ipv4.tcp_migrate_req') === '0') expect(reuseport.reset).toBeGreaterThanOrEqual(queued);

      // Step 5's table: one socket in two processes, hot-2 holding it at fd 3.
      const both = hotListeners(stepText(text, 5));
      expect(both['hot-2']?.fd).toBe(3);
      expect(both['hot-1']?.desc).toBe(both['hot-2']?.desc);
      expect(both['hot-1']?.inode).toBe(both['hot-2']?.inode);
      // Step 6's table: hot-2 alone, still on that inode; the module handed the keep-alive connections over.
      expect(hotListeners(stepText(text, 6))).toEqual({ 'hot-2': both['hot-2'] });
      const handedOver = Number(/drained in \d+ ms: (\d+) connections handed over/.exec(text)?.[1]);
      expect(handedOver).toBeGreaterThanOrEqual(1);

      // Step 7: the real Go handover. Its log names both generations; the load lost nothing.
      const goStep = stepText(text, 7);
      const goPids = [...goStep.matchAll(/hot-restart-go\.log: gen \d pid (\d+): /g)].map((m) => Number(m[1]));
      if (hasGo) {
        expect(goStep).toMatch(/gen 2 pid \d+: serving on fd \d+ \(FileListener\), flags \d*4\d{3}; ready/);
        expect(goStep).toMatch(/gen 1 pid \d+: exit \(handed over\)/);
        expect(goStep).toMatch(/(?:refused|拒绝) 0 · (?:reset|重置) 0 · (?:timeout|超时) 0/);
        expect(new Set(goPids).size).toBe(2);
      } else {
        expect(goStep).toContain('apt-get install golang-go');
      }

      expect(readSysctl('net.ipv4.tcp_migrate_req')).toBe(migrateBefore);
      // The launcher, the five servers it started (six with go-1), hot-2, which hot-1 started, and go-2: all gone.
      const pids = [...startedPids(text), handover.pids[1], ...goPids];
      expect(new Set(pids).size).toBe(hasGo ? 9 : 7);
      expect(pids).toEqual(expect.arrayContaining([...naive.pids, ...reuseport.pids, ...handover.pids]));
      expect(pids.filter(isAlive)).toEqual([]);
    }, 90_000);
  }
});
