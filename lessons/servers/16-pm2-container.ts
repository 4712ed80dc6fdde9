// Lesson 16: NOT pm2 — what pm2 7 wraps around every Node app it starts in fork mode, reduced to the three
// things that decide what lesson 16 shows (read in pm2 7.0.4's sources):
//
// 1. lib/ProcessContainerFork.js loads the app with a bare `import(url.pathToFileURL(pm_exec_path))` when
//    it is an ES module (.mjs, or "type": "module"), never awaited nor caught: an app whose top-level await
//    throws (the handover server's listen() failing with EADDRINUSE) rejects that promise.
// 2. Before that, ProcessUtils.injectModules() requires modules/pm2-io-bpm, whose NotifyFeature.catchAll()
//    (features/notify.js) adds an 'unhandledRejection' listener that logs the error, sends
//    process:exception to the daemon and does NOT exit. Node turns an unhandled rejection into an uncaught
//    exception only when no such listener exists, so the app's own uncaughtException handler (exit 1) never
//    runs: the process stays, with nothing to do. (Its 'uncaughtException' listener exits with code 1 only
//    when it is the only one; a CommonJS app's throw still reaches the app's own handler.)
// 3. pm2-io-bpm's IPCTransport listens for 'message' on the IPC channel to the daemon, which keeps the event
//    loop alive; its autoExitHook(), every 3000 ms (unref'd), finds a process whose only handles are its
//    stdio pipes and that channel, stops listening, and listens again 200 ms later if still alive: an idle
//    process exits then, code 0. Here stdio is /dev/null, so "only the channel" is the test.
//
// Seen with the real pm2 7.0.4 and lesson 13's handover server (the lesson's app) behind a successor on
// its port: every restarted copy logged EADDRINUSE and exited with code 0 some 3 s later, restart_time
// climbed, unstable_restarts stayed 0, status online. With the app option `pmx: false` (no pm2-io, so
// steps 2 and 3 are gone) the server's own handler ran instead: exit code 1 at once, and after 16 unstable
// restarts pm2 logged "had too many unstable restarts (16). Stopped." and showed it errored.
// Lesson 16's real-pm2 step shows the first of these live where pm2 7 is installed (16-supervisors.realpm2.ts).
//
// The app's path is in pm_exec_path, as pm2 passes it; arguments follow this file's, as pm2 passes them.
// Its successors run this file again (the restart module re-runs process.argv), as they run
// ProcessContainerFork.js under pm2; without an IPC channel (a successor has none) step 3 does nothing.
import { appendFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** pm2 writes the error to the app's error log; the lesson reads it from the report file, as an `error`. */
function logged(error: unknown, via: string): void {
  const text = error instanceof Error ? error.message : String(error);
  if (process.env.REPORT_FILE) appendFileSync(process.env.REPORT_FILE, JSON.stringify({ event: 'error', pid: process.pid, at: Date.now(), via, text }) + '\n');
}

// 2. NotifyFeature.catchAll()
process.on('uncaughtException', (error) => {
  logged(error, 'uncaughtException');
  if (process.listeners('uncaughtException').length === 1) process.exit(1);
});
process.on('unhandledRejection', (error) => logged(error, 'unhandledRejection'));

// 3. IPCTransport.init() and autoExitHook()
if (process.channel) {
  const onMessage = () => {};
  process.on('message', onMessage);
  const hook = setInterval(() => {
    const handles = (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles();
    if (handles.length !== 1) return;
    process.removeListener('message', onMessage);
    setTimeout(() => process.on('message', onMessage), 200).unref();
  }, 3000);
  hook.unref();
}

// 1. ProcessContainerFork.js
const app = process.env.pm_exec_path;
if (!app) throw new Error('pm_exec_path names no app');
void import(pathToFileURL(app).href);
