// The app's views: props in, elements out. Each screen is laid out into lines beforehand (menu-layout,
// lesson-layout, help-lines), so a view only draws lines; FdTableView is that line drawer.
import { Text } from 'ink';
import type { Palette } from '../../fdtable/format.js';
import { tr } from '../../lesson/i18n.js';
import type { Lang } from '../../lesson/types.js';
import { FdTableView as Lines } from '../FdTableView.js';
import { helpLines, type HelpScreen } from './help-lines.js';
import type { LessonScreen } from './lesson-layout.js';
import { layoutMenu, type MenuInput } from './menu-layout.js';

/** Below this the lesson screen cannot show text, table, quiz and keys at once. */
export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;

export function isTooSmall(columns: number, rows: number): boolean {
  return columns < MIN_COLUMNS || rows < MIN_ROWS;
}

export function TooSmall({ columns, rows, lang }: { columns: number; rows: number; lang: Lang }) {
  return <Text>{tr('tooSmall', lang, { minColumns: MIN_COLUMNS, minRows: MIN_ROWS, columns, rows })}</Text>;
}

export function HelpOverlay({ screen, lang, width, height, palette }: { screen: HelpScreen; lang: Lang; width: number; height: number; palette: Palette }) {
  return <Lines lines={helpLines(screen, lang, width, palette).slice(0, height)} />;
}

export function MenuView(props: MenuInput) {
  return <Lines lines={layoutMenu(props)} />;
}

/** The lesson screen, and any screen laid out as lines (the exercise screen). */
export function LessonView({ screen }: { screen: Pick<LessonScreen, 'lines'> }) {
  return <Lines lines={screen.lines} />;
}
