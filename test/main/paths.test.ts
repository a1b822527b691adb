import { describe, expect, it } from 'vitest';
import { defaultDataDir, resolveDataDir } from '../../main/paths.js';

describe('data directory', () => {
  it("follows Electron's userData convention on each OS", () => {
    expect(defaultDataDir('linux', {}, '/home/ann')).toBe('/home/ann/.config/Pilot Workbench');
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/xdg' }, '/home/ann')).toBe('/xdg/Pilot Workbench');
    expect(defaultDataDir('darwin', {}, '/Users/ann')).toBe('/Users/ann/Library/Application Support/Pilot Workbench');
    expect(defaultDataDir('win32', { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, 'C:\\Users\\ann')).toMatch(/Roaming.Pilot Workbench$/);
  });

  it('prefers --data-dir, then PILOT_HOME', () => {
    expect(resolveDataDir('/flag', { PILOT_HOME: '/env' })).toBe('/flag');
    expect(resolveDataDir(undefined, { PILOT_HOME: '/env' })).toBe('/env');
  });
});
