// What the kernel shows about processes and sockets, read straight from /proc for the demo tests.
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Ports in LISTEN (state 0A) on loopback or any address, from /proc/net/tcp and tcp6. */
export function listeningPorts(): Set<number> {
  return new Set(listenerSockets());
}

/** One entry per listening socket: a port appears twice when two SO_REUSEPORT sockets share it. */
export function listenerSockets(): number[] {
  const ports: number[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'latin1').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 4 || fields[3] !== '0A') continue;
      ports.push(parseInt(fields[1].split(':')[1], 16));
    }
  }
  return ports;
}

/** The /proc/PID/fd/N link: `socket:[123]`, a path, ... */
export function fdTarget(pid: number, fd: number): string {
  return readlinkSync(`/proc/${pid}/fd/${fd}`);
}

/** `flags:` of /proc/PID/fdinfo/N as a number (the file shows octal). */
export function fdFlags(pid: number, fd: number): number {
  const match = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'latin1'));
  if (!match) throw new Error(`no flags in /proc/${pid}/fdinfo/${fd}`);
  return parseInt(match[1], 8);
}

export function openFds(pid: number): number[] {
  return readdirSync(`/proc/${pid}/fd`).map(Number).sort((a, b) => a - b);
}

export const O_NONBLOCK = 0o4000;
export const O_CLOEXEC = 0o2000000;
