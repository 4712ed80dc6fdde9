// The warden: a tiny process that outlives the tutor to clean up after it. The tutor starts it with
// stdin = the read end of a pipe whose only write end the tutor holds (close-on-exec, so no other
// process inherits it). However the tutor ends, SIGKILL included, the kernel closes that write end and
// the warden reads EOF: it then kills every process carrying the run marker and removes the private
// directory. It runs in its own session, so a Ctrl-C or hangup meant for the tutor does not reach it.
//   usage: warden <runId> <dir>
import { endRunSync } from './marker.js';

const [runId, dir] = process.argv.slice(2);
if (!runId || !dir || !/^[0-9a-f]+$/.test(runId)) {
  process.stderr.write('usage: warden <runId> <dir>\n');
  process.exit(2);
}

process.stdin.on('data', () => {
  // Nothing is ever written; reading only so that 'end' fires.
});
process.stdin.on('end', () => finish());
process.stdin.on('error', () => finish());

function finish(): void {
  endRunSync(runId, dir);
  process.exit(0);
}
