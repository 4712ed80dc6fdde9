// Whether a process still runs, as the kernel sees it (a zombie has ended): the demo layer's own check.
export { isAlive } from '../../src/demo/marker.js';
