// The fd table on screen: lines already laid out by format.ts and watch-screen.ts. One <Text> per
// line keeps ink's layout trivial and lets it reuse unchanged lines between frames.
import React from 'react';
import { Box, Text } from 'ink';

export interface FdTableViewProps {
  lines: readonly string[];
}

export const FdTableView = React.memo(function FdTableView({ lines }: FdTableViewProps) {
  return (
    <Box flexDirection="column">
      {lines.map((line, index) => (
        // Lines are positions on screen, not items: the index is the right key.
        <Text key={index} wrap="truncate">{line || ' '}</Text>
      ))}
    </Box>
  );
});
