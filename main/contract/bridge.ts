/**
 * What the desktop preload puts on `window.pilot`. Serve mode has no preload; the renderer's
 * bridge then speaks HTTP to the same handlers. Types only.
 */
export interface DesktopBridge {
  desktop: true;
  invoke(channel: string, input: unknown): Promise<unknown>;
  /** Subscribes to push events; returns the unsubscribe function. */
  onEvent(listener: (event: unknown) => void): () => void;
  /** The native open-file dialog; null when cancelled. */
  pickFile(filters?: { name: string; extensions: string[] }[]): Promise<string | null>;
  /** The native open-folder dialog; null when cancelled. */
  pickFolder(): Promise<string | null>;
  /** The native save dialog, writing `content`; the path, or null when cancelled. */
  saveFile(defaultName: string, content: string): Promise<string | null>;
  /** Prints a self-contained HTML report to PDF (Chromium's printToPDF) and saves it; the path, or null when cancelled. */
  savePdf(defaultName: string, html: string): Promise<string | null>;
}
