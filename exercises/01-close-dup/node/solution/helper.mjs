// The helper: reads the address of the listener it was lent (fd 3), records it, and lets the fd go.
// Then it keeps running (a real sidecar would export metrics) until the server stops it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sys from './hotrestart-sys.mjs';

const address = sys.getsockname(3);
writeFileSync(join(process.env.EXERCISE_DIR ?? '.', 'listener.txt'), `${JSON.stringify(address)}\n`);
sys.close(3); // the helper only needed the address

setInterval(() => {}, 60_000);
