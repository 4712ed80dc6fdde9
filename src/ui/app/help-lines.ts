// The help overlay's text: every key of the screen it covers, with what it does.
import type { Palette } from '../../fdtable/format.js';
import { pick, tr, type UiKey } from '../../lesson/i18n.js';
import type { Lang, Text } from '../../lesson/types.js';
import { exerciseHelpText as E } from './exercise-text.js';
import { cellWidth, fit, wrapLine } from '../../text/wrap.js';

const LESSON_KEYS: ReadonlyArray<readonly [string, UiKey]> = [
  ['→  n  space', 'helpNext'],
  ['Enter', 'helpEnter'],
  ['←  b', 'helpBack'],
  ['r', 'helpRerun'],
  ['h', 'helpHint'],
  ['1-9', 'helpAnswer'],
  ['Tab', 'helpPanes'],
  ['↑ ↓ PgUp PgDn', 'helpScrollPane'],
  ['Home End g G', 'helpScrollPane'],
  ['z', 'helpZoom'],
  ['e', 'helpExpand'],
  ['→  Enter', 'helpSummaryNext'],
  ['r', 'helpRestart'],
  ['l', 'helpLang'],
  ['?', 'helpTitle'],
  ['q  Esc', 'helpQuit'],
  ['Ctrl-C', 'helpCtrlC'],
];

const MENU_KEYS: ReadonlyArray<readonly [string, UiKey]> = [
  ['↑ ↓  k j', 'helpChoose'],
  ['Enter  →  space', 'helpOpen'],
  ['0-9', 'helpDigits'],
  ['l', 'helpLang'],
  ['?', 'helpTitle'],
  ['q  Esc  Ctrl-C', 'helpQuit'],
];

const EXERCISE_KEYS: ReadonlyArray<readonly [string, UiKey | Text]> = [
  ['↑ ↓ PgUp PgDn', E.scroll],
  ['s  S', E.start],
  ['v', E.verify],
  ['h', E.hint],
  ['Esc', E.stop],
  ['q  Esc', E.back],
  ['Ctrl-C', E.quit],
  ['l', 'helpLang'],
  ['?', 'helpTitle'],
];

export type HelpScreen = 'menu' | 'lesson' | 'exercise';

export function helpLines(screen: HelpScreen, lang: Lang, width: number, palette: Palette): string[] {
  const keys: ReadonlyArray<readonly [string, UiKey | Text]> = screen === 'lesson' ? LESSON_KEYS : screen === 'exercise' ? EXERCISE_KEYS : MENU_KEYS;
  const keyWidth = Math.max(...keys.map(([key]) => cellWidth(key))) + 2;
  const lines = [palette.header(fit(tr('helpTitle', lang), width)), ''];
  for (const [key, what] of keys) {
    wrapLine(typeof what === 'string' ? tr(what, lang) : pick(what, lang), width - keyWidth - 2).forEach((text, i) => {
      lines.push(`  ${i === 0 ? palette.header(key.padEnd(keyWidth)) : ' '.repeat(keyWidth)}${text}`);
    });
  }
  return lines;
}
