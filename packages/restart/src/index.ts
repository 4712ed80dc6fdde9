// hotrestart-tutor/restart: zero-downtime restarts for a Node server, in the manner of cloudflare/tableflip.
//
//   const up = await Upgrader.create({ pidFile: '/run/app.pid' });
//   await up.listen(server, 'http', { host: '0.0.0.0', port: 8080 });
//   await up.ready();            // only when start-up is really done
//   // kill -USR2 $(cat /run/app.pid)  -> a successor starts; once it is ready, this process hands over and exits
export { Upgrader } from './upgrader.js';
export type { UpgraderOptions, UpgraderState, UpgradeOutcome, ExitReason, UpgraderEvents } from './upgrader.js';
export type { ListenerInfo } from './registry.js';
export type { ListenAddress, ListenerKind } from './listeners.js';
export type { DrainReport } from './drain.js';
export { readPidFile, writePidFile } from './pidfile.js';
export { ENV, LISTEN_FDS_START } from './env.js';
export { sdNotify } from './notify.js';
