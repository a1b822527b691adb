/** The running workbench (`app:info`), its settings, and the colour theme. */
import type { AppInfo } from '../../../main/contract/index.js';
import { errorMessage, invoke } from './bridge.js';

export type Theme = 'system' | 'light' | 'dark';
const THEME_KEY = 'pilot.theme';

function isTheme(value: unknown): value is Theme {
  return value === 'system' || value === 'light' || value === 'dark';
}

/** Applies a theme to the page: `system` follows prefers-color-scheme (see app.css). */
function applyTheme(theme: Theme): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

export class AppState {
  info = $state.raw<AppInfo | null>(null);
  /** Why app:info or settings failed to load or save. */
  error = $state<string | null>(null);
  /** The last theme chosen; also kept in localStorage so the page starts in it before the settings load. */
  theme = $state<Theme>('system');

  /** Capabilities this build implements, e.g. `data`. */

  constructor() {
    const stored = typeof localStorage === 'undefined' ? null : localStorage.getItem(THEME_KEY);
    if (isTheme(stored)) this.theme = stored;
    // Before the first paint, so a dark-mode user sees no light flash while settings load.
    if (typeof document !== 'undefined') applyTheme(this.theme);
  }

  async load(): Promise<void> {
    try {
      const [info, settings] = await Promise.all([invoke('app:info', {}), invoke('settings:get', {})]);
      this.info = info;
      const theme = settings['ui.theme'];
      if (isTheme(theme)) this.#useTheme(theme);
      this.error = null;
    } catch (error) {
      this.error = errorMessage(error);
    }
  }

  async setTheme(theme: Theme): Promise<void> {
    this.#useTheme(theme);
    try {
      await invoke('settings:set', { key: 'ui.theme', value: theme });
    } catch (error) {
      this.error = errorMessage(error);
    }
  }

  #useTheme(theme: Theme): void {
    this.theme = theme;
    localStorage.setItem(THEME_KEY, theme);
    applyTheme(theme);
  }
}

export const appState = new AppState();
