// Language choice and the tutor's own strings. Lessons carry their text inline as { en, zh }.
import type { Lang, Text } from './types.js';

/** --lang wins, then LC_ALL, LC_MESSAGES, LANG (zh* -> Chinese), else English. */
export function detectLang(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Lang {
  if (flag === 'en' || flag === 'zh') return flag;
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^zh/i.test(locale) ? 'zh' : 'en';
}

export function isLang(value: string): value is Lang {
  return value === 'en' || value === 'zh';
}

export function pick(text: Text, lang: Lang): string {
  return text[lang];
}

/** A value that is either one string for both languages (a name, a program's output) or a Text. */
export function asText(value: string | Text): Text {
  return typeof value === 'string' ? { en: value, zh: value } : value;
}

/** A wait for `what` (a name, or a phrase in both languages) that ended without it. */
export function waitedInVain(what: string | Text, timeoutMs: number): Text {
  const { en, zh } = asText(what);
  return { en: `timed out after ${timeoutMs} ms waiting for ${en}`, zh: `等待超时（${timeoutMs} 毫秒）：${zh}` };
}

/** A code excerpt: inline code is the same in both languages; a file excerpt has its comments translated. */
export function codeText(code: string | Text, lang: Lang): string {
  return typeof code === 'string' ? code : pick(code, lang);
}

/** Fills {name} placeholders. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => (key in values ? String(values[key]) : `{${key}}`));
}

/** The tutor's interface strings. */
export const ui = {
  step: { en: 'Step {n}/{total}', zh: '第 {n}/{total} 步' },
  remember: { en: 'What to remember', zh: '要记住的' },
  hint: { en: 'Hint', zh: '提示' },
  quiz: { en: 'Quiz', zh: '小测验' },
  correct: { en: 'Correct.', zh: '回答正确。' },
  wrong: { en: 'Not quite.', zh: '不太对。' },
  expectations: { en: 'Checked on this machine', zh: '在本机上的检验' },
  running: { en: 'running…', zh: '运行中…' },
  cancelled: { en: 'Demo stopped. Press r to run this step again.', zh: '演示已停止。按 r 重新运行这一步。' },
  failed: { en: 'This step failed: {error}', zh: '这一步失败了：{error}' },
  stepCancelled: { en: 'cancelled', zh: '已取消' },
  lessonDone: { en: 'Lesson complete: {ok} of {total} checks held.', zh: '本课完成：{total} 项检验中 {ok} 项成立。' },
  skippedChecks: { en: '{n} check(s) could not run on this machine and were skipped.', zh: '有 {n} 项检验无法在本机运行，已跳过。' },
  allHeld: { en: 'Every expectation held on this machine.', zh: '所有预期都在本机上得到验证。' },
  someFailed: { en: '{n} expectation(s) did not hold on this machine.', zh: '有 {n} 项预期在本机上没有成立。' },
  platform: {
    en: 'This lesson needs {platforms}; this machine runs {platform}, so its demos cannot run here.',
    zh: '本课需要 {platforms}；本机是 {platform}，演示无法在这里运行。',
  },
  fdTable: { en: 'fd table', zh: 'fd 表' },
  hiddenRows: {
    en: '({n} more rows hidden: stdio and what the runtime opens for itself, such as epoll and its pipes)',
    zh: '（另有 {n} 行未显示：标准输入输出，以及运行时自己打开的 fd，例如 epoll 和它的管道）',
  },
  skipped: { en: 'skipped', zh: '已跳过' },
  log: { en: 'syscalls and events', zh: '系统调用与事件' },
  go: { en: 'Go', zh: 'Go' },
  node: { en: 'Node', zh: 'Node' },
  chapter: { en: 'Chapter', zh: '章节' },
  lesson: { en: 'Lesson {n}', zh: '第 {n} 课' },
  // The interactive app (src/ui/app) and the tutor's commands.
  appTitle: { en: 'hotrestart-tutor · zero-downtime restarts, from the kernel up', zh: 'hotrestart-tutor · 从内核开始理解零停机重启' },
  markDone: { en: 'done', zh: '已完成' },
  markStarted: { en: 'started', zh: '已开始' },
  markNew: { en: 'not yet', zh: '未开始' },
  menuKeys: { en: '↑↓ choose · enter open · 1-{n} lesson · l 中文 · ? help · q quit', zh: '↑↓ 选择 · 回车 打开 · 1-{n} 课程 · l English · ? 帮助 · q 退出' },
  lessonKeys: { en: '→ next · ← back · r re-run · h hint{answer} · l 中文 · ? help · q menu', zh: '→ 下一步 · ← 上一步 · r 重跑 · h 提示{answer} · l English · ? 帮助 · q 目录' },
  answerKeys: { en: ' · 1-{n} answer', zh: ' · 1-{n} 作答' },
  tooSmall: {
    en: 'Please make the terminal at least {minColumns}×{minRows} (it is {columns}×{rows} now); q quits.',
    zh: '请把终端放大到至少 {minColumns}×{minRows}（现在是 {columns}×{rows}）；按 q 退出。',
  },
  helpTitle: { en: 'Keys (? or Esc closes this)', zh: '按键（按 ? 或 Esc 关闭）' },
  helpNext: { en: 'next step (at the end: the lesson summary)', zh: '下一步（最后一步之后：本课小结）' },
  helpBack: { en: 'previous step (the processes stay as they are: no rewinding)', zh: '上一步（进程保持现状：真实进程无法倒带）' },
  helpRerun: { en: 're-run: a fresh demo replays every step up to this one', zh: '重跑：停止演示，从头开始，重放到当前这一步' },
  helpHint: { en: 'show or hide the hint', zh: '显示或隐藏提示' },
  helpAnswer: { en: 'answer the quiz', zh: '回答小测验' },
  helpLang: { en: 'switch language (English / 中文)', zh: '切换语言（English / 中文）' },
  helpQuit: { en: 'back to the lessons (in the lesson list: quit)', zh: '返回课程目录（在目录里：退出）' },
  helpCtrlC: { en: 'stop the running demo; a second Ctrl-C quits', zh: '停止正在运行的演示；再按一次 Ctrl-C 退出' },
  helpOpen: { en: 'open the chosen lesson or exercise', zh: '打开选中的课程或练习' },
  helpChoose: { en: 'choose a lesson or an exercise (exN)', zh: '选择课程或练习（练习N）' },
  helpDigits: { en: 'open lesson N (two digits for 10 and up, typed quickly)', zh: '打开第 N 课（10 及以上连按两位数字）' },
  starting: { en: 'starting the demo processes…', zh: '正在启动演示进程…' },
  replaying: { en: 'replaying step {n} from scratch…', zh: '正在从头重放第 {n} 步…' },
  stopped: { en: 'Demo stopped: its processes have ended. r starts it again; Ctrl-C again quits.', zh: '演示已停止：它的进程都已结束。按 r 重新开始；再按 Ctrl-C 退出。' },
  ahead: {
    en: 'Processes are as after step {n} (they cannot go back); r replays up to here.',
    zh: '进程处于第 {n} 步之后的状态（无法倒退）；按 r 重放到这一步。',
  },
  tableOf: { en: 'fd table · {names}', zh: 'fd 表 · {names}' },
  noProcesses: { en: '(none of these processes is running)', zh: '（这些进程都没有在运行）' },
  hiddenShort: { en: "{n} of Node's own fds hidden", zh: '另有 {n} 个 Node 自己的 fd 未显示' },
  checking: { en: 'checking…', zh: '检验中…' },
  moreText: { en: '… {n} more lines: ↓ scrolls', zh: '… 还有 {n} 行：按 ↓ 滚动' },
  quizPrompt: { en: '(press 1-{n})', zh: '（按 1-{n}）' },
  quizAnswer: { en: 'Answer: {n}) {choice}', zh: '答案：{n}) {choice}' },
  quizScore: { en: 'Quiz: {correct} of {total} right.', zh: '小测验：{total} 题答对 {correct} 题。' },
  markedDone: { en: '✔ Marked done in your progress.', zh: '✔ 已在学习进度中记为完成。' },
  notDone: { en: 'Not marked done yet: every step must run and every check hold (r re-runs).', zh: '尚未记为完成：每一步都要运行、每项检验都要成立（按 r 重跑）。' },
  finishKeys: { en: '→ next lesson · ← back · r again from step 1 · q lessons', zh: '→ 下一课 · ← 上一步 · r 从第 1 步重来 · q 课程目录' },
  howToPlay: {
    en: 'Play one: hotrestart-tutor lesson N (add --plain for plain text). At a terminal, hotrestart-tutor alone opens the interactive tutor.',
    zh: '学习某一课：hotrestart-tutor lesson N（加 --plain 输出纯文本）。在终端里直接运行 hotrestart-tutor 会打开交互式界面。',
  },
  unknownLesson: { en: 'There is no lesson "{name}"; hotrestart-tutor list shows them.', zh: '没有名为「{name}」的课程；运行 hotrestart-tutor list 查看全部课程。' },
  progressWhere: { en: 'Progress is stored in {path}', zh: '学习进度保存在 {path}' },
  progressNone: { en: 'Nothing recorded yet.', zh: '还没有任何记录。' },
  progressSummary: { en: '{done} of {total} lessons done.', zh: '{total} 课中已完成 {done} 课。' },
  progressLine: { en: 'step {reached}/{steps} · {held}/{checks} checks held', zh: '第 {reached}/{steps} 步 · {checks} 项检验中 {held} 项成立' },
  corruptProgress: {
    en: 'The progress file {path} could not be read; it was kept as {backup} and progress starts afresh.',
    zh: '进度文件 {path} 无法读取；已另存为 {backup}，进度从头记录。',
  },
  progressNotSaved: { en: 'Progress could not be saved in {path}: {reason}', zh: '无法把学习进度保存到 {path}：{reason}' },
  newerProgress: { en: 'The progress file {path} was written by a newer hotrestart-tutor; progress will not be saved.', zh: '进度文件 {path} 由更新版本的 hotrestart-tutor 写入；本次不会保存进度。' },
  unreadableProgress: { en: 'The progress file {path} cannot be read ({reason}); progress will not be saved.', zh: '无法读取进度文件 {path}（{reason}）；本次不会保存进度。' },
  resetAsk: { en: 'Erase the recorded progress of {what}? [y/N] ', zh: '要清除{what}的学习进度吗？[y/N] ' },
  resetAll: { en: 'every lesson', zh: '所有课程' },
  resetDone: { en: 'Erased.', zh: '已清除。' },
  resetNothing: { en: 'Nothing was recorded; nothing erased.', zh: '没有记录，无需清除。' },
  resetKept: { en: 'Nothing erased.', zh: '未清除任何内容。' },
  resetNeedsYes: {
    en: 'reset erases progress and needs a confirmation: run it at a terminal, or add --yes.',
    zh: 'reset 会清除学习进度，需要确认：请在终端里运行，或加上 --yes。',
  },
  corruptProgressKept: {
    en: 'The progress file {path} could not be read, nor set aside ({reason}); it is left as it is and progress will not be saved.',
    zh: '进度文件 {path} 无法读取，也无法另存（{reason}）；文件保持原样，本次不会保存进度。',
  },
  droppedProgress: {
    en: 'The progress file {path} had entries that are not valid ({lessons}); they were ignored.',
    zh: '进度文件 {path} 中有无效的条目（{lessons}）；已忽略。',
  },
  resetFailed: { en: 'Could not erase progress in {path} ({reason}).', zh: '无法清除 {path} 中的学习进度（{reason}）。' },
  lessonStopped: { en: 'Lesson {n} was stopped ({signal}); its processes were ended.', zh: '第 {n} 课已被中止（{signal}）；它的进程都已结束。' },
  newerReason: { en: 'written by a newer hotrestart-tutor', zh: '由更新版本的 hotrestart-tutor 写入' },
  // The lesson screen's footer: one item per key, shown only when the key does something now.
  keyNext: { en: '→ next', zh: '→ 下一步' },
  keyBack: { en: '← back', zh: '← 上一步' },
  keyAnswer: { en: '1-{n} answer', zh: '1-{n} 作答' },
  keyHint: { en: 'h hint', zh: 'h 提示' },
  keyScroll: { en: '↑↓ scroll', zh: '↑↓ 滚动' },
  keyPanes: { en: 'Tab pane', zh: 'Tab 切换' },
  keyZoom: { en: 'z zoom', zh: 'z 放大表' },
  keyUnzoom: { en: 'z back', zh: 'z 还原' },
  keyExpand: { en: 'e expand', zh: 'e 展开' },
  keyCollapse: { en: 'e collapse', zh: 'e 收起' },
  keyRerun: { en: 'r re-run', zh: 'r 重跑' },
  keyHelp: { en: '? keys', zh: '? 按键' },
  keyMenu: { en: 'q menu', zh: 'q 目录' },
  keyLang: { en: 'l 中文', zh: 'l 切换 English' },
  helpEnter: { en: 'next step, like →', zh: '下一步，同 →' },
  helpPanes: { en: 'move ↑ ↓ between the text, the fd table and the log', zh: '让 ↑ ↓ 在文字、fd 表和日志之间切换' },
  helpZoom: { en: 'the fd table alone on the screen, every row in reach (z, Esc: back)', zh: '让 fd 表独占整个屏幕，用 ↑ ↓ 查看每一行（按 z 或 Esc 还原）' },
  helpExpand: { en: 'show check and log lines whole instead of cut to one line', zh: '完整显示检验行和日志行，而不是截成一行' },
  helpScrollPane: { en: 'scroll what Tab chose: the text, the table or the log', zh: '滚动 Tab 选中的部分：文字、表格或日志' },
  helpRestart: { en: 'in the summary: again from step 1, quiz answers cleared', zh: '在小结页：从第 1 步重新开始本课，清空小测验答案' },
  helpSummaryNext: { en: 'in the summary: open the next lesson', zh: '在小结页：打开下一课' },
  tablePane: { en: 'table', zh: '表格' },
  logPane: { en: 'log', zh: '日志' },
  moreLog: { en: '… {n} newer lines: ↓ scrolls', zh: '… 还有 {n} 行更新的：按 ↓ 滚动' },
} satisfies Record<string, Text>;

export type UiKey = keyof typeof ui;

export function tr(key: UiKey, lang: Lang, values: Record<string, string | number> = {}): string {
  return fill(ui[key][lang], values);
}
