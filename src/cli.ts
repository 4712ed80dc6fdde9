#!/usr/bin/env node
// hotrestart-tutor's entry point and its one exit site. Colour is decided here, first, because chalk
// (through ink) reads the environment when it is imported: everything heavy is imported later, on demand.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { applyColorDecision, isCI } from './ui/color-mode.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_UNSUPPORTED, UserError } from './commands/errors.js';
import { findCommand } from './commands/index.js';
import { mainHelp } from './commands/help.js';
import { packageVersion } from './commands/version.js';
import { parseOptions, wantsHelp } from './commands/parse.js';
import type { CommandContext } from './commands/context.js';

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  env: NodeJS.ProcessEnv;
}

const defaultIo = (): Io => ({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });

/** Runs the command line and returns the exit code; never throws. */
export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  const color = applyColorDecision({ argv, env: io.env, stdoutIsTTY: io.stdout.isTTY === true });
  const context: CommandContext = {
    ...io,
    color,
    interactive: io.stdout.isTTY === true && io.stdin.isTTY === true && !isCI(io.env),
  };
  try {
    return await dispatch(argv, context);
  } catch (error) {
    return report(error, io);
  }
}

async function dispatch(argv: string[], context: CommandContext): Promise<number> {
  // The command is the first argument that is neither an option nor the value of --lang.
  const commandAt = argv.findIndex((arg, i) => !arg.startsWith('-') && argv[i - 1] !== '--lang');
  const globalArgs = commandAt === -1 ? argv : argv.slice(0, commandAt);
  const { values } = parseOptions(
    globalArgs,
    { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'V' }, 'no-color': { type: 'boolean' }, lang: { type: 'string' } },
    'hotrestart-tutor',
  );
  const write = (text: string) => context.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  if (values.version) {
    write(packageVersion());
    return EXIT_OK;
  }
  let name = commandAt === -1 ? undefined : argv[commandAt];
  let rest = commandAt === -1 ? [] : argv.slice(commandAt + 1);
  const helpCommand = name === 'help';
  if (helpCommand) {
    [name, ...rest] = rest.length > 0 ? [rest[0], '--help'] : [undefined];
  }
  if (values.help || (helpCommand && name === undefined)) {
    write(mainHelp(packageVersion()));
    return EXIT_OK;
  }
  // A --lang given before the command is the command's own.
  const lang = values.lang === undefined ? [] : ['--lang', values.lang];
  // No command: the tutor itself (the app at a terminal, the list of lessons elsewhere).
  if (name === undefined) return (await import('./commands/tutor.js')).tutorCommand.run(lang, context);
  const entry = findCommand(name);
  if (!entry) throw new UserError(`Unknown command "${name}"; run hotrestart-tutor --help to see the commands.`);
  const command = await entry.load();
  if (wantsHelp(rest)) {
    write(command.usage);
    return EXIT_OK;
  }
  return command.run([...rest, ...lang], context);
}

/** One sentence for what the user can fix; a short note (stack on request) for what they cannot. */
function report(error: unknown, io: Io): number {
  if (error instanceof UserError) {
    io.stderr.write(`${error.message}\n`);
    return error.exitCode;
  }
  const err = error instanceof Error ? error : new Error(String(error));
  if (err.name === 'UnsupportedPlatformError') {
    io.stderr.write(`${err.message}\n`);
    return EXIT_UNSUPPORTED;
  }
  if (err.name === 'FfiUnavailableError') {
    io.stderr.write(`${err.message}\n`);
    return EXIT_FAILURE;
  }
  const debug = io.env.HOTRESTART_TUTOR_DEBUG;
  io.stderr.write(
    debug
      ? `${err.stack ?? err.message}\n`
      : `hotrestart-tutor failed: ${err.message.split('\n')[0]} (set HOTRESTART_TUTOR_DEBUG=1 for details)\n`,
  );
  return EXIT_FAILURE;
}

function isEntryPoint(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // A reader that goes away (`| head`) is not an error worth a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  // Whatever started us (npm start, a shell) dying ends us too.
  (await import('./sys/parent.js')).endWithParent();
  // Fds leaked to us by whatever started us must not reach the demos and programs we start.
  await (await import('./sys/inherited-fds.js')).sealInheritedFds();
  process.exitCode = await main(process.argv.slice(2));
}
