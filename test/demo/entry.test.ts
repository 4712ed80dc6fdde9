import { describe, expect, it } from 'vitest';
import { entryUrl, nodeCommand } from '../../src/demo/entry.js';

describe('nodeCommand', () => {
  it('runs compiled JavaScript with node alone', () => {
    expect(nodeCommand('file:///opt/app/dist/src/demo/puppet.js')).toEqual({ file: process.execPath, args: ['/opt/app/dist/src/demo/puppet.js'] });
  });

  it('runs TypeScript sources through the tsx loader, found by absolute URL', () => {
    const { file, args } = nodeCommand('file:///opt/app/src/demo/puppet.ts');
    expect(file).toBe(process.execPath);
    expect(args[0]).toBe('--import');
    expect(args[1]).toMatch(/^file:\/\/\/.*\/node_modules\/tsx\/dist\/loader\.mjs$/);
    expect(args[2]).toBe('/opt/app/src/demo/puppet.ts');
  });

  it('picks the sibling entry with the extension of the running module', () => {
    expect(entryUrl('warden', 'file:///a/src/demo/entry.ts')).toBe('file:///a/src/demo/warden.ts');
    expect(entryUrl('warden', 'file:///a/dist/src/demo/entry.js')).toBe('file:///a/dist/src/demo/warden.js');
  });
});
