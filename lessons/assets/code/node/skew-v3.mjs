// Version 3 of lesson 18's server: the `admin` listener is gone again; state format 2, as version 2.
import { boot, knobs } from './skew-common.mjs';

function readState(blob) {
  if (blob.format === 2) return { hits: blob.counters.hits };
  throw new Error(`state format ${blob.format} is unknown to v3`);
}
const writeState = (state) => ({ format: 2, counters: { hits: state.hits } });

const { up, server, ready } = await boot('v3', { readState, writeState });
// [listen]
await up.listen(server, 'http', { host: '127.0.0.1', port: knobs.port ?? 0 }); // no 'admin' any more: ready() closes the inherited one | zh: 不再有 'admin'：ready() 会关掉继承来的那个
await ready();
// [/listen]
