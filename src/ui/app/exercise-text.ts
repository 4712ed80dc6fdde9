// What the app's exercise screen says, in English and Simplified Chinese.
import type { Text } from '../../lesson/types.js';

export const exerciseScreenText = {
  loading: { en: 'Loading the exercise…', zh: '正在加载练习……' },
  noReadme: { en: 'This exercise has no README.', zh: '这个练习没有 README。' },
  languages: { en: 'Languages: Node, Go. Start: hotrestart-tutor exercise start {n} [--code node|go]', zh: '语言：Node、Go。开始：hotrestart-tutor exercise start {n} [--code node|go]' },
  workspace: { en: 'Workspace ({code}): {dir}', zh: '工作区（{code}）：{dir}' },
  noWorkspace: { en: 'No workspace yet at {dir}: s creates it (Node), S in Go.', zh: '{dir} 还没有工作区：按 s 创建（Node），按 S 用 Go。' },
  created: { en: 'Created with {files}. Next: do the TODO there (README.md says what), then press v to verify.', zh: '已创建，包含 {files}。下一步：完成其中的 TODO（见 README.zh-CN.md），然后按 v 验证。' },
  /** Under the line that names the folder: short enough for one line. */
  exists: { en: 'That folder already exists: it is left as it is.', zh: '该文件夹已经存在：保持原样不动。' },
  notCreated: { en: 'The workspace could not be created: {reason}', zh: '无法创建工作区：{reason}' },
  neverVerified: { en: 'Not verified yet: press v once the workspace exists.', zh: '尚未验证：工作区建好后按 v。' },
  notVerifiedYet: { en: 'Not verified yet: v verifies the workspace.', zh: '尚未验证：按 v 验证工作区。' },
  lastVerify: { en: 'Last verify {at} ({code}): {verdict}', zh: '上次验证 {at}（{code}）：{verdict}' },
  lastPassed: { en: '✔ passed', zh: '✔ 通过' },
  lastFailed: { en: '✘ {failed} of {total} checks failed', zh: '✘ {total} 项检查中有 {failed} 项失败' },
  lastFault: { en: '(stopped early: {fault})', zh: '（提前中止：{fault}）' },
  waiting: { en: 'Verifying: waiting for a free verify slot (one per CPU core)…', zh: '验证中：正在等待空闲的验证名额（每个 CPU 核一个）……' },
  running: { en: 'Verifying: your program runs as real processes ({done} of {total} checks so far; Esc stops)…', zh: '验证中：你的程序作为真实进程运行（已完成 {done}/{total} 项检查；Esc 停止）……' },
  stopping: { en: 'Stopping the verify and every process it started…', zh: '正在停止验证及它启动的每个进程……' },
  stopped: { en: 'Verify stopped: every process it started has ended. Nothing was recorded.', zh: '验证已停止：它启动的每个进程都已结束。没有记录结果。' },
  failedToRun: { en: 'The verify could not run: {reason}', zh: '无法运行验证：{reason}' },
  notSaved: { en: 'The result was not saved: {reason}', zh: '结果未保存：{reason}' },
  hint: { en: 'Hint {i} of {total}: {text}', zh: '提示 {i}/{total}：{text}' },
  keys: { en: '↑↓ scroll · v verify · h hint · l 中文 · ? help · q back', zh: '↑↓ 滚动 · v 验证 · h 提示 · l English · ? 帮助 · q 返回' },
  keysStart: { en: '↑↓ scroll · s start · v verify · h hint · l 中文 · ? help · q back', zh: '↑↓ 滚动 · s 开始 · v 验证 · h 提示 · l English · ? 帮助 · q 返回' },
  keysRunning: { en: 'Esc or Ctrl-C stops the verify · q back (stops it too)', zh: 'Esc 或 Ctrl-C 停止验证 · q 返回（同时停止）' },
} satisfies Record<string, Text>;

/** The exercise screen's keys in the help overlay. */
export const exerciseHelpText = {
  scroll: { en: 'scroll the task (README)', zh: '滚动题目（README）' },
  start: { en: 'create the workspace, as hotrestart-tutor exercise start does: s in Node, S in Go (needs go on PATH); an existing folder is never touched', zh: '创建工作区，与 hotrestart-tutor exercise start 相同：s 用 Node，S 用 Go（PATH 上要有 go）；已存在的文件夹绝不改动' },
  verify: { en: 'verify the workspace now: your program runs as real processes, each check ✔/✘ as it comes', zh: '立即验证工作区：你的程序作为真实进程运行，每项检查一出结果就显示 ✔/✘' },
  hint: { en: 'the next hint (one more each time)', zh: '下一条提示（每按一次多一条）' },
  stop: { en: 'stop a running verify (every process it started ends)', zh: '停止正在运行的验证（它启动的每个进程都会结束）' },
  back: { en: 'back to the lessons', zh: '返回课程目录' },
  quit: { en: 'stop the verify; with none running, quit', zh: '停止验证；没有验证在运行时退出' },
} satisfies Record<string, Text>;
