// Version 4 of lesson 18's server: the same listener under a new name, `web` instead of `http`, on the same
// port. The module finds no inherited fd of that name, so it binds the port afresh.
import { boot, knobs, report } from './skew-common.mjs';

function readState(blob) {
  if (blob.format === 2) return { hits: blob.counters.hits };
  throw new Error(`state format ${blob.format} is unknown to v4`);
}
const writeState = (state) => ({ format: 2, counters: { hits: state.hits } });

const { up, server, ready } = await boot('v4', { readState, writeState });
// [listen]
try {
  await up.listen(server, 'web', { host: '127.0.0.1', port: knobs.port ?? 0 }); // renamed: was 'http' | zh: 改了名：原来叫 'http'
} catch (error) {
  report('log', { text: `cannot listen as web: ${error.message}` });
  process.exit(1); // before ready(): the predecessor serves on | zh: 在 ready() 之前退出：前任照常服务
}
await ready();
// [/listen]
