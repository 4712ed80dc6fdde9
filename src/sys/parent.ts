// Ending with the command the user started. `npm start` runs us under npm; when npm is killed (SIGKILL
// cannot be forwarded, and npm's SIGTERM used to stop at its `sh -c`), we are re-parented and would
// keep drawing over the shell that took the terminal back. Polling getppid(2) notices that portably
// (Linux and macOS); we then hang up on ourselves, as a closed terminal would, so every exit path
// (cleanups, the warden) runs as for any other hangup.

/** How often the parent is checked: a quarter second is unnoticeable to a person, and costs nothing. */
const POLL_MS = 250;

export function endWithParent(): void {
  const parent = process.ppid;
  // Started by init or a subreaper directly (a container's entry point): there is no parent to outlive.
  if (parent <= 1) return;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    process.kill(process.pid, 'SIGHUP');
  }, POLL_MS);
  timer.unref(); // never the reason the process stays alive
}
