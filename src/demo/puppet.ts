// A puppet: a Node process that performs one small piece of work per request (usually one syscall)
// and answers with the strace-style log of what it did. Started by the supervisor or by another puppet;
// it finds the tutor through HOTRESTART_TUTOR_CONTROL, says hello, then serves requests in order.
// Its only fd beyond what Node itself opens is that control connection (close-on-exec, never passed on).
import { readdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname } from 'node:path';
import * as sys from '../sys/index.js';
import { readJsonLines, writeJsonLine } from './json-lines.js';
import type { PuppetHello, PuppetReply, PuppetRequest } from './protocol.js';
import { runOp } from './puppet-ops.js';
import { PuppetState } from './puppet-state.js';
import { ENV } from './run.js';

const name = process.env[ENV.puppet];
const controlPath = process.env[ENV.control];
if (!name || !controlPath) {
  process.stderr.write(`puppet: ${ENV.puppet} and ${ENV.control} must be set; puppets are started by the tutor.\n`);
  process.exit(2);
}

tieToTutor();
// Relative paths in requests (open, unix sockets) then name files in the private directory.
process.chdir(dirname(controlPath));
const inherited = (process.env[ENV.fds] ?? '').split(',').filter(Boolean).map(Number);
closeStrayFds(inherited);
const state = new PuppetState(name, inherited);

const control = createConnection(controlPath);
control.on('connect', () => {
  state.controlFd = (control as unknown as { _handle: { fd: number } })._handle.fd;
  const hello: PuppetHello = { hello: name, pid: process.pid, ppid: process.ppid };
  writeJsonLine(control, hello);
});
// No tutor, no lesson: when the control connection ends, so does the puppet.
control.on('close', () => process.exit(0));
control.on('error', (error) => {
  process.stderr.write(`puppet ${name}: control connection: ${error.message}\n`);
});

let queue = Promise.resolve();
readJsonLines(control, (message) => {
  const { id, request } = message as { id: number; request: PuppetRequest };
  // One request at a time, in arrival order, so the fd numbers in the logs follow the script.
  queue = queue.then(async () => {
    const reply: PuppetReply = await runOp(request, state);
    const exitCode = request?.op === 'exit' && reply.ok && 'code' in reply.result ? reply.result.code : undefined;
    writeJsonLine(control, { id, reply }, exitCode === undefined ? undefined : () => process.exit(exitCode));
  });
});

/**
 * A puppet started by the tutor itself dies with it at once (PR_SET_PDEATHSIG = SIGKILL), the fast path
 * next to the warden's sweep. Armed only for that direct parent: the variable is removed before any
 * child of ours could inherit it, since successors must outlive their parent puppet.
 */
function tieToTutor(): void {
  const parent = Number(process.env[ENV.parent]);
  delete process.env[ENV.parent];
  if (!parent || !sys.ffiAvailable()) return;
  sys.setParentDeathSignal('SIGKILL');
  // The tutor may have died before the signal was armed; then nobody would send it.
  if (sys.getppid() !== parent) process.exit(0);
}

/**
 * Closes fds that reached us by accident: inheritable (no FD_CLOEXEC) and not placed by our spawner, such
 * as a pipe the tutor's own parent leaked to it. Node opens all of its own fds close-on-exec, and marks
 * inherited ones so only up to the first gap in the numbers (fd 251 after a gap stays inheritable), so
 * without this a stray fd would show in every puppet's table and travel on into every child.
 */
function closeStrayFds(declared: number[]): void {
  if (!sys.ffiAvailable()) return;
  for (const fd of readdirSync('/proc/self/fd').map(Number)) {
    if (fd <= 2 || declared.includes(fd)) continue;
    try {
      if (!sys.isCloseOnExec(fd)) sys.close(fd);
    } catch {
      // Gone already (the directory listing's own fd).
    }
  }
}
