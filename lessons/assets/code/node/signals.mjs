// Signals in Node (lesson 11): process.on installs a handler (one sigaction(2) by libuv); for SIGKILL the
// kernel says EINVAL and Node throws. Usage: node signals.mjs (prints why SIGKILL cannot be trapped).
const log = (text) => console.log(text);

// [trap]
process.on('SIGTERM', () => log('SIGTERM: not now'))
try {
  process.on('SIGKILL', () => {}) // throws: uv_signal_start EINVAL | zh: 抛出异常：uv_signal_start EINVAL
} catch (error) {
  log(error.message)
}
// [/trap]
process.exit(0);
