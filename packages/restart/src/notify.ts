// systemd's readiness protocol without libsystemd: one datagram of KEY=VALUE lines to the unix socket
// named by NOTIFY_SOCKET (a path, or '@name' for an abstract address). With Type=notify and
// NotifyAccess=all, `MAINPID=<pid>\nREADY=1` from a successor tells systemd that the service now lives in
// that process, so the old main process exiting is no longer the service's death.
// NOTIFY_SOCKET stays in the environment (sd_notify's unset_environment=0): every generation needs it.
import { AF_UNIX, SOCK_CLOEXEC, SOCK_DGRAM } from './sys/constants.js';
import { close } from './sys/fd.js';
import { sendTo, socket } from './sys/socket.js';

/** Sends `state` to $NOTIFY_SOCKET. Returns null when sent or when there is no NOTIFY_SOCKET, else why not. */
export function sdNotify(state: string, path: string | undefined = process.env.NOTIFY_SOCKET): string | null {
  if (!path) return null;
  if (!path.startsWith('/') && !path.startsWith('@')) return `NOTIFY_SOCKET=${path} is neither an absolute path nor an abstract '@' name`;
  let fd: number | undefined;
  try {
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC);
    sendTo(fd, Buffer.from(state), { family: 'unix', path });
    return null;
  } catch (error) {
    return (error as Error).message;
  } finally {
    if (fd !== undefined) close(fd);
  }
}
