// The watchdog: keeps the listener it was handed as fd 0 open, and otherwise just waits.
setInterval(() => {}, 60_000);
