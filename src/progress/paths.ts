// Where progress lives. A visible file in the XDG state directory (not a cache: losing it loses the
// learner's record, and not config: nothing in it is a setting), overridable as a whole for tests,
// classrooms and portable installs with HOTRESTART_TUTOR_HOME.
import { userInfo } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { EXIT_FAILURE, UserError } from '../commands/errors.js';

export const PROGRESS_FILE = 'progress.json';

/** $HOTRESTART_TUTOR_HOME/progress.json, else $XDG_STATE_HOME/hotrestart-tutor/progress.json,
 *  else ~/.local/state/hotrestart-tutor/progress.json. */
export function progressPath(env: NodeJS.ProcessEnv): string {
  if (env.HOTRESTART_TUTOR_HOME) return join(env.HOTRESTART_TUTOR_HOME, PROGRESS_FILE);
  // The XDG spec says a relative XDG_STATE_HOME is invalid and must be ignored.
  const xdg = env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : undefined;
  const state = xdg ?? join(homeDirectory(env), '.local', 'state');
  return join(state, 'hotrestart-tutor', PROGRESS_FILE);
}

/** $HOME when it is an absolute path, else the account's home from the password database. An empty or
 *  relative HOME would put the progress file under whatever directory the tutor was started in (and
 *  os.homedir() returns an empty HOME as it is). */
function homeDirectory(env: NodeJS.ProcessEnv): string {
  if (env.HOME && isAbsolute(env.HOME)) return env.HOME;
  let home = '';
  try {
    home = userInfo().homedir;
  } catch {
    // No passwd entry for this uid (some containers).
  }
  if (!isAbsolute(home)) {
    throw new UserError('There is no home directory to keep progress in (HOME is empty and this user has none); set HOTRESTART_TUTOR_HOME.', EXIT_FAILURE);
  }
  return home;
}
