// The bottom line of the live view: the keys, and what is wrong when something is.
import React from 'react';
import { Text } from 'ink';
import type { Palette } from '../fdtable/format.js';

export interface StatusBarProps {
  keys: string;
  paused: boolean;
  error: string | null;
  palette: Palette;
}

export const StatusBar = React.memo(function StatusBar({ keys, paused, error, palette }: StatusBarProps) {
  const parts = [paused ? palette.warning('paused (p resumes)') : null, error ? palette.warning(error) : null, palette.muted(keys)];
  return <Text wrap="truncate">{parts.filter(Boolean).join(' · ')}</Text>;
});
