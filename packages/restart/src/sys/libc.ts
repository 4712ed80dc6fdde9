// Loads koffi and the C library once, lazily, and records why it could not when it cannot.
// Everything in src/sys goes through `libc()`; features that need it call `requireFfi(feature)`
// so the user reads one sentence naming the feature instead of a loader stack trace.
import { createRequire } from 'node:module';
import type * as KoffiModule from 'koffi';

export type Koffi = typeof KoffiModule;
export type Lib = ReturnType<Koffi['load']>;

export interface Ffi {
  koffi: Koffi;
  lib: Lib;
}

let cached: Ffi | undefined;
let failure: string | undefined;

function libcPath(): string {
  switch (process.platform) {
    case 'linux':
      return 'libc.so.6';
    case 'darwin':
      return '/usr/lib/libSystem.B.dylib';
    default:
      throw new Error(`no C library binding for platform ${process.platform}`);
  }
}

/** The loaded FFI, or undefined when koffi or libc cannot be loaded (see ffiUnavailableReason). */
export function tryFfi(): Ffi | undefined {
  if (cached || failure) return cached;
  try {
    const require = createRequire(import.meta.url);
    const koffi = require('koffi') as Koffi;
    const lib = koffi.load(libcPath());
    cached = { koffi, lib };
  } catch (error) {
    failure = error instanceof Error ? error.message.split('\n')[0] : String(error);
  }
  return cached;
}

/** True when syscalls through koffi are available on this machine. */
export function ffiAvailable(): boolean {
  return tryFfi() !== undefined;
}

export function ffiUnavailableReason(): string | undefined {
  tryFfi();
  return failure;
}

/** Thrown when a feature needs the FFI and it is not there; its message is one sentence for the user. */
export class FfiUnavailableError extends Error {
  constructor(readonly feature: string, readonly reason: string) {
    super(`${feature} needs direct system calls through koffi, which could not be loaded here (${reason}).`);
    this.name = 'FfiUnavailableError';
  }
}

export function requireFfi(feature: string): Ffi {
  const ffi = tryFfi();
  if (!ffi) throw new FfiUnavailableError(feature, failure ?? 'unknown reason');
  return ffi;
}

/** Declares a C function once per process and caches it by its prototype. */
const functions = new Map<string, (...args: any[]) => any>();
export function cfunc(prototype: string, feature = 'this feature'): (...args: any[]) => any {
  let fn = functions.get(prototype);
  if (!fn) {
    const { lib } = requireFfi(feature);
    fn = lib.func(prototype) as (...args: any[]) => any;
    functions.set(prototype, fn);
  }
  return fn;
}
