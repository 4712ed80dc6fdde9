// Whether this machine has a Go toolchain: tests of what needs it are skipped (or played without those
// checks) elsewhere, saying so in one line.
import { findGo } from '../../src/lesson/gobuild.js';

export const hasGo = findGo() !== null;

/** Says, once per test file, what it does without go: `go is not installed (...), so <what>`. */
export function sayIfNoGo(what: string): void {
  if (!hasGo) console.log(`go is not installed (apt-get install golang-go), so ${what}`);
}
