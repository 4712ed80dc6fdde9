// The package on its own: `npm pack` of packages/restart, installed alone in an empty directory (its one
// dependency, koffi, from the npm cache or registry), under 5 MB installed; then a server from ESM and one
// from CommonJS, each upgraded once through the installed module, and the types seen by tsc for both.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { get, poll } from './harness.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'hotrestart-pack-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** The environment of a user's shell: no source condition, no test runner's variables. */
function userEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  for (const key of Object.keys(env)) if (key.startsWith('VITEST') || key.startsWith('npm_')) delete env[key];
  return env;
}

function bytes(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(entry.parentPath ?? path, entry.name);
    if (entry.isDirectory()) total += bytes(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}

const SERVER = (load: string) => `${load}
const up = await Upgrader.create({ pidFile: process.env.PID_FILE });
const server = http.createServer((request, response) => response.end('ok ' + process.pid));
const info = await up.listen(server, 'http', { host: '127.0.0.1', port: 0 });
await up.ready();
console.log(JSON.stringify({ pid: process.pid, generation: up.generation, port: Number(info.address.split(':').pop()) }));
`;

async function runAndUpgrade(file: string): Promise<void> {
  const pidFile = join(directory, `${file}.pid`);
  const child = spawn(process.execPath, [file], { cwd: join(directory, 'app'), env: { ...userEnv(), PID_FILE: pidFile }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const reports: Array<{ pid: number; generation: number; port: number }> = [];
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => chunk.split('\n').filter(Boolean).forEach((line) => reports.push(JSON.parse(line))));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  try {
    const first = await poll(() => reports[0], 20_000, () => `${file} to start\n${stderr}`);
    expect((await get(first.port)).status).toBe(200);
    process.kill(first.pid, 'SIGUSR2');
    const second = await poll(() => reports.find((report) => report.generation === 2), 20_000, () => `${file} to upgrade\n${stderr}`);
    expect(second.port).toBe(first.port);
    // The default log line: an ISO timestamp, the module, the pid.
    expect(stderr).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z hotrestart\[\d+\] generation 1 ready/m);
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

describe('the package alone', { timeout: 180_000 }, () => {
  it('packs, installs in an empty directory under 5 MB, and serves and upgrades from ESM and CommonJS with types', async () => {
    execFileSync('npm', ['pack', '-w', '@hotrestart-tutor/restart', '--pack-destination', directory], { cwd: root, stdio: 'ignore', env: userEnv() });
    const tarball = readdirSync(directory).find((name) => name.endsWith('.tgz'))!;
    expect(tarball).toMatch(/^hotrestart-tutor-restart-.*\.tgz$/);
    const listing = execFileSync('tar', ['-tzf', join(directory, tarball)], { encoding: 'utf8' }).split('\n');
    expect(listing).toContain('package/dist/esm/index.js');
    expect(listing).toContain('package/dist/cjs/index.js');
    expect(listing).toContain('package/CHANGELOG.md');
    expect(listing.some((path) => path.startsWith('package/src/'))).toBe(false);

    const app = join(directory, 'app');
    execFileSync('mkdir', [app]);
    writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true }\n');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `../${tarball}`], { cwd: app, stdio: 'ignore', env: userEnv() });
    const installed = readdirSync(join(app, 'node_modules')).filter((name) => !name.startsWith('.'));
    // koffi alone, and what koffi itself brings (its native builds, under @koromix).
    expect(installed.filter((name) => name !== '@koromix').sort()).toEqual(['@hotrestart-tutor', 'koffi']);
    expect(bytes(join(app, 'node_modules'))).toBeLessThan(5 * 1024 * 1024);

    writeFileSync(join(app, 'server.mjs'), SERVER(`import http from 'node:http';\nimport { Upgrader } from '@hotrestart-tutor/restart';`));
    writeFileSync(join(app, 'server.cjs'), `(async () => {${SERVER(`const http = require('node:http');\nconst { Upgrader } = require('@hotrestart-tutor/restart');`)}})();`);
    await runAndUpgrade('server.mjs');
    await runAndUpgrade('server.cjs');

    // Types, from both module systems, as a user's tsc sees them.
    writeFileSync(join(app, 'types.mts'), "import { Upgrader, type UpgraderEvents } from '@hotrestart-tutor/restart';\nconst e: keyof UpgraderEvents = 'rolled-back';\nexport const create: typeof Upgrader.create = Upgrader.create;\nconsole.log(e);\n");
    writeFileSync(join(app, 'types.cts'), "import restart = require('@hotrestart-tutor/restart');\nexport const create: typeof restart.Upgrader.create = restart.Upgrader.create;\n");
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', '--types', 'node', '--typeRoots', join(root, 'node_modules', '@types'), 'types.mts', 'types.cts'], { cwd: app, env: userEnv() });
  });
});
