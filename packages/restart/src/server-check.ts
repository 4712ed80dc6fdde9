// What up.listen() accepts: a net.Server (http, https, http2 and tls servers are all net.Servers). An
// express or koa app, or a fastify instance, is not one, and passed by mistake it would look as if it
// worked (express's app.listen makes a server of its own, which the module never sees): every restart
// would then cut every keep-alive connection. So anything else is refused with one sentence.
export function notNetServer(value: unknown): string {
  const what = typeof value === 'function' ? 'a function (an express or koa app?)' : value === null ? 'null' : typeof value === 'object' ? describeObject(value) : typeof value;
  return (
    `up.listen() needs a net.Server (http.createServer, https.createServer, http2.createServer or net.createServer), not ${what}: ` +
    'pass http.createServer(app) for express, http.createServer(app.callback()) for koa, and app.server after `await app.ready()` for fastify.'
  );
}

function describeObject(value: object): string {
  if ('server' in value && 'ready' in value) return 'a fastify instance';
  return `an object (${value.constructor?.name ?? 'no constructor'})`;
}
