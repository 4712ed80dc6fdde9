// Version 2 of lesson 18's server: adds an `admin` listener; writes its state as format 2 and still reads
// format 1, which version 1 left.
import { adminServer, boot, knobs } from './skew-common.mjs';

// [state]
// v2 reads v1's format and its own; it writes only its own | zh: v2 读得懂 v1 的格式和它自己的；只写它自己的
function readState(blob) {
  if (blob.format === 1) return { hits: blob.hits };
  if (blob.format === 2) return { hits: blob.counters.hits };
  throw new Error(`state format ${blob.format} is unknown to v2`);
}
const writeState = (state) => ({ format: 2, counters: { hits: state.hits } });
// [/state]

const { up, server, ready } = await boot('v2', { readState, writeState });
// [listen]
await up.listen(server, 'http', { host: '127.0.0.1', port: knobs.port ?? 0 });            // inherited: LISTEN_FDNAMES=http | zh: 继承而来：LISTEN_FDNAMES=http
await up.listen(adminServer('v2'), 'admin', { host: '127.0.0.1', port: knobs.adminPort ?? 0 }); // new in v2: bound afresh | zh: v2 新增：重新绑定
await ready();
// [/listen]
