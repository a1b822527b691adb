/**
 * The names the preload exposes and the main process answers: the only IPC surface of the app.
 * Shared by main/electron/main.ts and main/electron/preload.ts; no electron import here.
 */
export const IPC = {
  /** `invoke(channel, input)` → `{ ok, value | error }`, for every channel of the contract. */
  invoke: 'pilot:invoke',
  /** Main → renderer push events (job progress). */
  event: 'pilot:event',
  /** Native open-file dialog; resolves to a path or null. */
  pickFile: 'pilot:pick-file',
  /** Native open-folder dialog (a folder of pictures or documents); resolves to a path or null. */
  pickFolder: 'pilot:pick-folder',
  /** Save a report: `{ defaultName, html }` → path or null. */
  saveFile: 'pilot:save-file',
  /** Print a self-contained HTML report to PDF and save it: `{ defaultName, html }` → path or null. */
  savePdf: 'pilot:save-pdf',
} as const;
