// The stand-in service manager of lesson 16 (lessons/servers/16-unit-manager.ts) keeps the rules it claims,
// on small real services: under Type=simple the main process's exit stops the unit and ends every process
// left — an orphan the main process left behind (re-parented to the manager, its subreaper) with SIGTERM,
// one that ignores SIGTERM with SIGKILL after TimeoutStopSec=; under Type=notify READY=1 activates the unit,
// a MAINPID= naming a process outside the service is refused, and the main process's exit stops the unit;
// under NotifyAccess=main (the default) the kernel's SCM_CREDENTIALS tell the main process's datagram from
// any other's, which is dropped whole and logged in systemd's words; under NotifyAccess=none nothing is heard.
// In pm2 mode (type pid), as pm2 7: an ES module app whose top-level await fails with EADDRINUSE is held by
// pm2's container (its own exit(1) never runs), idles and exits with code 0, past min_uptime, so the app
// stays online; an app that exits at once is restarted, and max_restarts unstable restarts mark it errored.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { MANAGER, PM2_CONTAINER } from '../../lessons/16-supervisors.kit.js';
import { sdNotify } from '../../packages/restart/src/notify.js';
import { nodeCommand } from '../../src/demo/entry.js';
import { ReportFile, type ServerReport } from '../../src/lesson/demo-servers.js';
import { isAlive } from '../helpers/process.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** What the manager of the running test last reported, and whether it lives: said when a wait times out. */
let lastManager: { pid: number; reports: ReportFile } | undefined;
function managerStory(): string {
  if (!lastManager) return 'no manager started';
  const { pid, reports } = lastManager;
  reports.read();
  const lines = reports.reports.slice(-12).map((r) => JSON.stringify(r));
  return `manager pid ${pid} ${isAlive(pid) ? 'alive' : 'gone'}; its last reports:\n${lines.join('\n')}`;
}

async function until<T>(probe: () => T, what: string, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; ${managerStory()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs the stand-in in a private directory; its reports are read from there. */
function startManager(type: string, execStart: string[], env: Record<string, string> = {}): { dir: string; manager: ChildProcess; report: (kind: string, match?: (r: ServerReport) => boolean) => ServerReport | undefined } {
  const dir = mkdtempSync(join(tmpdir(), 'hotrestart-unit-test-'));
  const { file, args } = nodeCommand(MANAGER);
  const manager = spawn(file, args, { cwd: dir, stdio: 'ignore', env: { ...process.env, UNIT_TYPE: type, EXEC_START: JSON.stringify(execStart), REPORT_FILE: 'unit.jsonl', ...env } });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => manager.kill('SIGKILL'));
  const reports = new ReportFile('unit.jsonl', dir);
  lastManager = { pid: manager.pid ?? 0, reports };
  const report = (kind: string, match: (r: ServerReport) => boolean = () => true) => reports.find((r) => r.event === 'unit' && r.kind === kind && match(r));
  return { dir, manager, report };
}

describe('the stand-in service manager of lesson 16', { timeout: 30_000 }, () => {
  it('Type=simple: the main process exits, the orphan it left gets SIGTERM, one ignoring SIGTERM gets SIGKILL', async () => {
    const script = "sleep 30 & echo $! > orphan.pid; (trap '' TERM; exec sleep 30) & echo $! > stubborn.pid; sleep 0.5; exit 0";
    const { dir, report } = startManager('simple', ['/bin/sh', '-c', script], { TIMEOUT_STOP_MS: '300' });
    // Should the manager fail to end them, the test does (before the directory with their pids goes).
    cleanups.push(() => {
      for (const name of ['orphan.pid', 'stubborn.pid']) {
        try {
          process.kill(Number(readFileSync(join(dir, name), 'utf8')), 'SIGKILL');
        } catch {
          // gone, as it should be
        }
      }
    });
    const stopped = await until(() => report('state', (r) => r.state === 'inactive'), 'the unit to stop');
    expect(stopped.why).toBe('main-exited');
    const [orphan, stubborn] = ['orphan.pid', 'stubborn.pid'].map((name) => Number(readFileSync(join(dir, name), 'utf8')));
    expect(report('kill', (r) => r.signal === 'SIGTERM')?.pids).toEqual(expect.arrayContaining([orphan, stubborn]));
    expect(report('kill', (r) => r.signal === 'SIGKILL')?.pids).toEqual([stubborn]);
    expect([orphan, stubborn].filter(isAlive)).toEqual([]);
  });

  it('Type=notify: READY=1 activates, a MAINPID= outside the service is refused, the main exit stops the unit', async () => {
    const { report } = startManager('notify', ['/bin/sleep', '30'], { NOTIFY_ACCESS: 'all' });
    const started = await until(() => report('started'), 'ExecStart=');
    const main = Number(started.subject);
    // Sent from this test process, which is no process of the service.
    expect(sdNotify(`MAINPID=${process.pid}\nREADY=1`, String(started.notifySocket))).toBeNull();
    await until(() => report('state', (r) => r.state === 'active'), 'READY=1');
    expect(report('main-pid-refused')?.subject).toBe(process.pid);
    expect(report('main-pid')).toBeUndefined();
    process.kill(main, 'SIGTERM');
    await until(() => report('state', (r) => r.state === 'inactive'), 'the unit to stop');
    expect(report('exit', (r) => r.subject === main)?.main).toBe(true);
  });

  it('NotifyAccess=main: a datagram from another pid is ignored whole (MAINPID=, READY=1), the main pid\'s is accepted', async () => {
    const { file, args } = nodeCommand(new URL('./fixtures/notify-when-told.ts', import.meta.url).href);
    const { dir, report } = startManager('notify', [file, ...args]);
    const started = await until(() => report('started'), 'ExecStart=');
    const main = Number(started.subject);
    expect(report('standin')?.notifyAccess).toBe('main');
    // From this test process: not the main pid. It names itself, as a successor would.
    expect(sdNotify(`MAINPID=${process.pid}\nREADY=1`, String(started.notifySocket))).toBeNull();
    const refused = await until(() => report('notify-refused'), 'the refusal');
    expect(refused).toMatchObject({ subject: process.pid, mainPid: main, text: `Got notification message from PID ${process.pid}, but reception only permitted for main PID ${main}` });
    expect(report('notify')).toMatchObject({ sender: process.pid, uid: process.getuid?.() });
    expect(report('main-pid')).toBeUndefined();
    expect(report('main-pid-refused')).toBeUndefined();
    expect(report('state', (r) => r.state === 'active')).toBeUndefined();
    // Now the main process itself says READY=1.
    writeFileSync(join(dir, 'go'), '');
    const active = await until(() => report('state', (r) => r.state === 'active'), 'READY=1 from the main pid');
    expect(active).toMatchObject({ why: 'ready', mainPid: main });
    expect(report('notify', (r) => r.sender === main)?.text).toBe('READY=1');
    expect(report('notify-refused', (r) => r.subject === main)).toBeUndefined();
    process.kill(main, 'SIGTERM');
    await until(() => report('state', (r) => r.state === 'inactive'), 'the unit to stop');
  });

  it('NotifyAccess=none: every datagram is dropped, with the warning systemd gives', async () => {
    const { report } = startManager('notify', ['/bin/sleep', '30'], { NOTIFY_ACCESS: 'none' });
    const started = await until(() => report('started'), 'ExecStart=');
    const main = Number(started.subject);
    expect(sdNotify('READY=1', String(started.notifySocket))).toBeNull();
    expect(await until(() => report('notify-refused'), 'the refusal')).toMatchObject({ subject: process.pid, text: `Got notification message from PID ${process.pid}, but reception is disabled` });
    expect(report('state', (r) => r.state === 'active')).toBeUndefined();
    process.kill(main, 'SIGTERM');
    await until(() => report('state', (r) => r.state === 'inactive'), 'the unit to stop');
  });

  /** The pm2 stand-in running `source` (an .mjs app) in the pm2 container, as ForkMode.js does. */
  function startPm2App(source: string, env: Record<string, string> = {}) {
    const appDir = mkdtempSync(join(tmpdir(), 'hotrestart-pm2-app-'));
    cleanups.push(() => rmSync(appDir, { recursive: true, force: true }));
    writeFileSync(join(appDir, 'app.mjs'), source);
    const { file, args } = nodeCommand(PM2_CONTAINER);
    return startManager('pid', [file, ...args], { pm_exec_path: join(appDir, 'app.mjs'), ...env });
  }

  it('pm2: an ES module app whose bind fails idles in the container, exits 0 past min_uptime, and stays online', async () => {
    const held = net.createServer();
    await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => held.close());
    const app = [
      "import net from 'node:net';",
      "process.on('uncaughtException', () => process.exit(1));",
      "await new Promise((resolve, reject) => net.createServer().once('error', reject).listen(Number(process.env.PORT), '127.0.0.1', resolve));",
    ].join('\n');
    const { dir, manager, report } = startPm2App(app, { PORT: String((held.address() as net.AddressInfo).port) });
    const first = Number((await until(() => report('started'), 'the app')).subject);
    const restart = await until(() => report('restart'), 'the first restart');
    // Logged through the container's unhandledRejection listener, not the app's handler: exit code 0.
    const reports = new ReportFile('unit.jsonl', dir);
  lastManager = { pid: manager.pid ?? 0, reports };
    expect(reports.find((r) => r.event === 'error' && r.pid === first)).toMatchObject({ via: 'unhandledRejection', text: expect.stringContaining('EADDRINUSE') });
    expect(report('exit', (r) => r.subject === first)).toMatchObject({ code: 0, signal: null });
    expect(restart).toMatchObject({ count: 1, code: 0, unstableRestarts: 0 });
    expect(Number(restart.uptimeMs)).toBeGreaterThanOrEqual(1000);
    expect(report('state', (r) => r.state === 'errored')).toBeUndefined();
    // `pm2 stop`: SIGINT to the restarted copy, which leaves nothing behind.
    manager.kill('SIGTERM');
    await until(() => report('state', (r) => r.state === 'stopped'), 'the app to stop');
  });

  it('pm2: an app that exits at once is restarted, and max_restarts unstable restarts mark it errored', async () => {
    const { report } = startPm2App('process.exit(1);', { MIN_UPTIME_MS: '5000', MAX_RESTARTS: '2' });
    const errored = await until(() => report('state', (r) => r.state === 'errored'), 'errored');
    expect(errored).toMatchObject({ why: 'unstable', unstableRestarts: 2, restarts: 1 });
    expect(report('restart')).toMatchObject({ count: 1, code: 1, unstableRestarts: 1 });
  });
});
