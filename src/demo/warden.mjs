// The warden: a tiny process that outlives the tutor to clean up after it. The tutor starts it with
// stdin = the read end of a pipe whose only write end the tutor holds (close-on-exec, so no other
// process inherits it). However the tutor ends, SIGKILL included, the kernel closes that write end and
// the warden reads EOF: it then kills every process carrying the run marker and removes the private
// directory. It runs in its own session, so a Ctrl-C or hangup meant for the tutor does not reach it.
// It also puts back any sysctl the tutor had changed (lesson 7): the tutor's own cleanup cannot run
// when it is killed outright, and a changed sysctl affects the whole network namespace.
// Plain JavaScript, started by plain node: a TypeScript loader would take a second or more to start
// on a loaded machine, and a tutor killed meanwhile would leave its run for that long.
//   usage: warden <runId> <dir>
import { endRunSync, isAlive, sleepSync } from './sweep.mjs';
import { repairAllStale } from './sysctl-restore.mjs';

const [runId, dir] = process.argv.slice(2);
if (!runId || !dir || !/^[0-9a-f]+$/.test(runId)) {
  process.stderr.write('usage: warden <runId> <dir>\n');
  process.exit(2);
}

/** Our parent until it dies (we are detached into our own session, not re-parented yet). */
const tutorPid = process.ppid;

/** The tutor writes one byte before a normal release: it is alive, so there is no death to wait for. */
let released = false;
process.stdin.on('data', () => {
  released = true;
});
process.stdin.on('end', () => finish());
process.stdin.on('error', () => finish());

function finish() {
  // The pipe closes while the tutor is exiting; a lock counts as stale only once its holder is gone.
  for (let i = 0; !released && i < 50 && isAlive(tutorPid); i++) sleepSync(10);
  repairAllStale();
  endRunSync(runId, dir);
  process.exit(0);
}
