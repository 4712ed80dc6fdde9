// The spawn op: this puppet starts a child itself, so inheritance is real. libuv forks, and in the child
// dup2s each chosen fd to its place (fds[3] = 19 gives the child our fd 19 as its fd 3) before exec;
// every other fd of ours is close-on-exec and does not follow, unless the lesson cleared FD_CLOEXEC.
// The child is not tied to our lifetime (no PR_SET_PDEATHSIG): in a hot restart the successor outlives us.
import { spawn, type StdioOptions } from 'node:child_process';
import { basename } from 'node:path';
import * as sys from '../sys/index.js';
import { entryUrl, nodeCommand } from './entry.js';
import type { OpTable } from './puppet-op.js';
import { OpError } from './puppet-state.js';
import { ENV, isPuppetName } from './run.js';
import { openFlagsText } from './trace.js';

function isNonBlockingNow(fd: number): boolean {
  try {
    return sys.isNonBlocking(fd);
  } catch {
    return false; // not open: spawn itself will report it
  }
}

export const spawnOps: OpTable<'spawn'> = {
  async spawn({ name, fds = {}, command, env = {} }, { trace, state }) {
    const placements = Object.entries(fds).map(([target, source]) => [Number(target), source] as const);
    for (const [target, source] of placements) {
      if (!Number.isInteger(target) || target < 0 || target > 1023) throw new OpError(`${target} is not a child fd position (0 to 1023).`);
      state.assertLessonFd(source);
    }
    if (!command && !isPuppetName(name)) throw new OpError(`a puppet name is 1 to 32 letters, digits, '.', '_' or '-', not ${JSON.stringify(name)}.`);
    if (command && (!Array.isArray(command) || command.length === 0)) throw new OpError('command needs at least the program to run.');

    // stdio[i] is what the child gets as fd i: one of our fds, or 'ignore' (/dev/null for 0..2, closed above 2).
    const highest = Math.max(2, ...placements.map(([target]) => target));
    const stdio: StdioOptions = Array.from({ length: highest + 1 }, (_, i) => fds[i] ?? 'ignore');
    const { file, args } = command ? { file: command[0], args: command.slice(1) } : nodeCommand(entryUrl('puppet'));
    // The run marker is not the lesson's to change: a child without it would escape the cleanup.
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, [ENV.run]: process.env[ENV.run] };
    if (command) {
      // A plain program keeps only the run marker: it is not a puppet and must not try to check in.
      delete childEnv[ENV.control];
      delete childEnv[ENV.puppet];
      delete childEnv[ENV.fds];
    } else {
      childEnv[ENV.puppet] = name;
      childEnv[ENV.fds] = placements.map(([target]) => target).filter((target) => target > 2).join(',');
    }
    const argv = [basename(file), ...args.map((arg) => (arg.startsWith('/') || arg.startsWith('file:') ? basename(arg) : arg))];
    const execText = `execve(${JSON.stringify(file)}, [${argv.map((arg) => JSON.stringify(arg)).join(', ')}])`;

    // libuv makes a child's fds 0..2 blocking, and O_NONBLOCK belongs to the shared description: placing
    // a non-blocking listener there turns it blocking for us too. Note which ones it will touch.
    const unblocked = placements.filter(([target, source]) => target <= 2 && isNonBlockingNow(source));

    const child = spawn(file, args, { stdio, env: childEnv });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error: NodeJS.ErrnoException) => {
        const errno = Math.abs(error.errno ?? 0);
        trace.note(`${execText} = -1 ${error.code ?? 'error'} (${errno ? sys.errnoMessage(errno) : error.message})`);
        reject(new OpError(`could not start ${basename(file)}: ${error.code === 'ENOENT' ? 'no such program' : error.message}.`));
      });
    });
    const pid = child.pid!;
    child.unref(); // we never wait for it; libuv still reaps it if it ends while we live
    // These lines say what libuv's uv_spawn does; they are not traced live, so they say who made them.
    trace.note(`fork() = ${pid} (by libuv: spawn)`);
    for (const [target, source] of placements) {
      // libuv clears FD_CLOEXEC when an fd is already in place, and dup2s it otherwise.
      trace.note(`${target === source ? `[pid ${pid}] fcntl(${target}, F_SETFD, 0) = 0` : `[pid ${pid}] dup2(${source}, ${target}) = ${target}`} (by libuv)`);
    }
    // Read back after exec: the child has already cleared O_NONBLOCK, so these are the flags it set.
    for (const [target, source] of unblocked) trace.note(`[pid ${pid}] fcntl(${target}, F_SETFL, ${openFlagsText(sys.fcntl(source, sys.F_GETFL))}) = 0 (by libuv)`);
    trace.note(`[pid ${pid}] ${execText} = 0 (by libuv)`);
    return { pid, name: command ? undefined : name };
  },
};
