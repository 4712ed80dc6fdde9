// HTTPS and HTTP/2: TLS state lives in the process's memory and cannot be handed over, so the old process
// ends its connections well instead: `Connection: close` on the responses in flight, idle keep-alive
// connections closed between requests, HTTP/2 sessions sent GOAWAY and then drained. Through 10 upgrades
// under load, node's own https (keep-alive) and http2 clients lose no request. The certificate is made at
// test time with openssl (self-signed, for 127.0.0.1).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { killAllFixtures, startFixture, upgradeByPidFile } from './harness.js';

const RESTARTS = 10;
const directory = mkdtempSync(join(tmpdir(), 'hotrestart-tls-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
// Each test kills its own fixture when it finishes (see onTestFinished below); this is for a test that
// failed before it could register that.
afterAll(() => killAllFixtures());

function makeCertificate(): { key: string; cert: string } | null {
  const key = join(directory, 'key.pem');
  const cert = join(directory, 'cert.pem');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    return { key, cert };
  } catch {
    return null;
  }
}
const certificate = makeCertificate();
if (!certificate) console.log('skipped: the HTTPS and HTTP/2 tests (openssl could not make a certificate here)');

interface Tally {
  ok: number;
  failed: number;
  /** h2 streams the server refused with GOAWAY (never processed) and the client sent again on a new connection. */
  retried: number;
  pids: Set<number>;
  errors: string[];
}
const tally = (): Tally => ({ ok: 0, failed: 0, retried: 0, pids: new Set(), errors: [] });
const pause = () => new Promise((resolve) => setTimeout(resolve, 2));

/** Workers, each with its own keep-alive agent (one connection), asking until stopped. */
function httpsLoad(port: number, ca: Buffer, workers: number): { stop: () => Promise<Tally> } {
  const result = tally();
  let running = true;
  const loops = Array.from({ length: workers }, async () => {
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca });
    while (running) {
      await new Promise<void>((resolve) => {
        const request = https.get({ host: '127.0.0.1', port, path: '/', agent }, (response) => {
          response.resume();
          response.on('end', () => {
            result.ok++;
            result.pids.add(Number(response.headers['x-pid']));
            resolve();
          });
        });
        request.setTimeout(5000, () => request.destroy(new Error('timeout')));
        request.on('error', (error) => {
          result.failed++;
          if (result.errors.length < 5) result.errors.push(error.message);
          resolve();
        });
      });
      await pause();
    }
    agent.destroy();
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return result;
    },
  };
}

/**
 * Workers, each with one HTTP/2 session at a time: after GOAWAY the session takes no new stream, so the
 * next request opens a new one. A stream the server refused (GOAWAY's last stream id below it, or
 * REFUSED_STREAM) was never processed, and is sent again, as RFC 9113 allows and curl does.
 */
function h2Load(port: number, ca: Buffer, workers: number): { stop: () => Promise<Tally> } {
  const result = tally();
  let running = true;
  const loops = Array.from({ length: workers }, async () => {
    let session: http2.ClientHttp2Session | null = null;
    const sessionFor = () => {
      if (!session || session.closed || session.destroyed) {
        const fresh = http2.connect(`https://127.0.0.1:${port}`, { ca });
        fresh.on('error', () => {});
        fresh.on('goaway', () => {
          if (session === fresh) session = null;
        });
        session = fresh;
      }
      return session;
    };
    while (running) {
      for (let attempt = 0; ; attempt++) {
        const outcome = await new Promise<'ok' | 'refused' | string>((resolve) => {
          let stream: http2.ClientHttp2Stream;
          try {
            stream = sessionFor().request({ ':path': '/' });
          } catch (error) {
            resolve((error as { code?: string }).code === 'ERR_HTTP2_GOAWAY_SESSION' ? 'refused' : (error as Error).message);
            return;
          }
          let pid = 0;
          stream.setTimeout(5000, () => stream.close(http2.constants.NGHTTP2_CANCEL));
          stream.on('response', (headers) => (pid = Number(headers['x-pid'])));
          stream.resume();
          stream.on('end', () => {
            result.pids.add(pid);
            resolve(pid ? 'ok' : 'no response');
          });
          stream.on('error', (error: Error & { code?: string }) => {
            const refused = stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM || error.code === 'ERR_HTTP2_GOAWAY_SESSION';
            resolve(refused ? 'refused' : error.message);
          });
        });
        if (outcome === 'ok') result.ok++;
        else if (outcome === 'refused' && attempt < 3) {
          result.retried++;
          session = null;
          continue;
        } else {
          result.failed++;
          if (result.errors.length < 5) result.errors.push(outcome);
        }
        break;
      }
      await pause();
    }
    (session as http2.ClientHttp2Session | null)?.close();
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return result;
    },
  };
}

// The two protocols run side by side (each its own fixture, port and PID file), which saves the suite
// one test's time. In a concurrent test, onTestFinished and expect must be the test context's own: the
// imported onTestFinished attaches to whichever test vitest last started, so the https fixture was
// SIGKILLed when the h2 test ended, while its own test was still upgrading it (hundreds of ECONNRESET).
describe.skipIf(certificate === null)('TLS: nothing to hand over, everything ended well', { timeout: 240_000, concurrent: true }, () => {
  for (const protocol of ['https', 'h2'] as const) {
    it(`${protocol}: ${RESTARTS} upgrades under a keep-alive load lose no request`, async ({ expect, onTestFinished }) => {
      const pidFile = join(directory, `${protocol}.pid`);
      const fixture = await startFixture({ PROTOCOL: protocol, TLS_KEY: certificate!.key, TLS_CERT: certificate!.cert, PID_FILE: pidFile });
      onTestFinished(() => fixture.kill());
      const ca = readFileSync(certificate!.cert);
      const load = (protocol === 'https' ? httpsLoad : h2Load)(fixture.reports[0].port, ca, 8);
      let result: Tally;
      try {
        await new Promise((resolve) => setTimeout(resolve, 300));
        for (let i = 0; i < RESTARTS; i++) await upgradeByPidFile(pidFile, 20_000);
        await new Promise((resolve) => setTimeout(resolve, 300));
      } finally {
        result = await load.stop();
      }
      if (process.env.DEBUG_TLS) console.log(fixture.log().split('\n').filter((l) => /drained/.test(l)).join('\n'));
      expect({ failed: result.failed, errors: result.errors }).toEqual({ failed: 0, errors: [] });
      expect(result.ok).toBeGreaterThan(200);
      expect(result.pids.size).toBeGreaterThanOrEqual(RESTARTS + 1);
      const drains = [...fixture.log().matchAll(/drained in \d+ ms: (\d+) connections handed over, (\d+) closed idle, (\d+) cut off/g)];
      expect(drains).toHaveLength(RESTARTS);
      // Nothing handed over (TLS), nothing cut off at the deadline.
      for (const [, handedOver, , cutOff] of drains) expect([Number(handedOver), Number(cutOff)]).toEqual([0, 0]);
      if (protocol === 'h2') console.log(`h2: ${result.ok} requests, ${result.retried} refused by GOAWAY before processing and sent again`);
    });
  }
});
