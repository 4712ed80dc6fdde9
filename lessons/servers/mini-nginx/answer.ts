// How a mini-nginx worker answers a request from the config: the server of the listening address (the first
// one: server_name is not supported), the location with the longest matching prefix, its `return`, and the
// add_header lines, with $pid expanded to the worker's pid.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { expand, type Conf, type LocationConf, type ServerConf } from './conf.js';
import { addressText, type Listener } from './listeners.js';

/** add_header without `always` applies to these codes only (nginx's ngx_http_headers_filter). */
const HEADER_CODES = new Set([200, 201, 204, 206, 301, 302, 303, 304, 307, 308]);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function serverFor(conf: Conf, listener: Listener): ServerConf | undefined {
  return conf.servers.find((server) => server.listen.some((l) => addressText(l) === addressText(listener)));
}

export function locationFor(server: ServerConf, path: string): LocationConf | undefined {
  let best: LocationConf | undefined;
  for (const location of server.locations) {
    if (path.startsWith(location.prefix) && (!best || location.prefix.length > best.prefix.length)) best = location;
  }
  return best;
}

export function answer(conf: Conf, server: ServerConf, request: IncomingMessage, response: ServerResponse): void {
  const path = (request.url ?? '/').split('?')[0];
  const location = locationFor(server, path);
  response.setHeader('server', 'mini-nginx');
  const code = location?.answer?.code ?? 404;
  let body = location?.answer ? expand(location.answer.text, process.pid) : '404 Not Found\n';
  if (REDIRECTS.has(code)) {
    // nginx's `return 302 URL`: the text is the Location, the body nginx's small page (left out here).
    response.setHeader('location', body);
    body = '';
  }
  for (const header of location?.headers ?? server.headers) {
    if (HEADER_CODES.has(code) || header.always) response.setHeader(header.name, expand(header.value, process.pid));
  }
  response.statusCode = code;
  response.setHeader('content-type', conf.defaultType);
  response.end(body);
}
