// How the verifier talks to the learner's program: single HTTP requests and TCP probes on loopback,
// each bounded in time, and the counted load of the lessons (src/lesson/load.ts) for "0 failed".
import http from 'node:http';
import { connect } from 'node:net';

export { startLoad, type Load, type LoadStats } from '../lesson/load.js';

export interface HttpAnswer {
  status: number | null;
  body: string;
  /** The error code (ECONNREFUSED, ECONNRESET, TIMEOUT) when there was no response. */
  error: string | null;
  ms: number;
}

/** GET http://127.0.0.1:port/path with a deadline; never throws. Bodies are capped at 64 KiB. */
export function httpGet(port: number, options: { path?: string; timeoutMs?: number; agent?: http.Agent | false; headers?: Record<string, string> } = {}): Promise<HttpAnswer> {
  const started = Date.now();
  const { path = '/', timeoutMs = 2000, agent = false, headers = {} } = options;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (answer: Omit<HttpAnswer, 'ms'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...answer, ms: Date.now() - started });
    };
    const req = http.get({ host: '127.0.0.1', port, path, agent, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 65536) body += chunk;
      });
      res.on('end', () => settle({ status: res.statusCode ?? null, body, error: null }));
      res.on('error', (error: NodeJS.ErrnoException) => settle({ status: null, body, error: error.code ?? error.message }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => settle({ status: null, body: '', error: error.code ?? error.message }));
    const timer = setTimeout(() => {
      req.destroy();
      settle({ status: null, body: '', error: 'TIMEOUT' });
    }, timeoutMs);
  });
}

export type ProbeResult = 'accepted' | 'refused' | 'timeout' | 'error';

/** Opens and closes one TCP connection: does anything accept connections on port? */
export function tcpProbe(port: number, timeoutMs = 1000): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (result: ProbeResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    socket.once('connect', () => done('accepted'));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED' ? 'refused' : 'error'));
  });
}
