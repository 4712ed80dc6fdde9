// Version 1 of lesson 18's server: one listener, `http`; its state is format 1.
import { boot, knobs } from './skew-common.mjs';

// [state]
// v1 knows one state format: its own | zh: v1 只认得一种状态格式：它自己的
function readState(blob) {
  if (blob.format !== 1) throw new Error(`state format ${blob.format} is unknown to v1`);
  return { hits: blob.hits };
}
const writeState = (state) => ({ format: 1, hits: state.hits });
// [/state]

const { up, server, ready } = await boot('v1', { readState, writeState });
// [listen]
await up.listen(server, 'http', { host: '127.0.0.1', port: knobs.port ?? 0 });
await ready();
// [/listen]
