/**
 * The desktop shell: the only code that imports electron. One locked-down window
 * over the same backend that serve mode and the CLI use; IPC goes through `invoke`, which
 * validates every input. Kept thin on purpose: it cannot be run on machines without the Electron
 * binary, so everything testable lives elsewhere.
 */
import { app as electronApp, BrowserWindow, dialog, ipcMain, Menu, Notification, safeStorage, session, shell, type IpcMainInvokeEvent } from 'electron';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getSetting, setSetting } from '../../db/settings.js';
import { invoke } from '../api/index.js';
import { type App, createApp } from '../app.js';
import type { PushEvent } from '../contract/index.js';
import { distPath, rendererDir, workerPath } from '../locate.js';
import { resolveDataDir } from '../paths.js';
import { CONTENT_SECURITY_POLICY } from '../csp.js';
import { IPC } from './bridge.js';
import { driftWatchEvents } from '../watch/drift-watch.js';
import { holdKey } from '../../workers/trainer/encryption.js';
import { type DesktopKeyInfo, exportKeyFile, loadDesktopKey, moveKeyToKeychain, startDesktopKey } from '../keychain.js';

interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

const dataDir = resolveDataDir(undefined);
electronApp.setPath('userData', dataDir); // the CLI and serve mode use the same folder

if (!electronApp.requestSingleInstanceLock()) {
  electronApp.quit();
} else {
  let backend: App | null = null;
  let window: BrowserWindow | null = null;
  const pageUrl = pathToFileURL(join(rendererDir(), 'index.html')).href;

  electronApp.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  electronApp.whenReady().then(async () => {
    const nativeBinding = process.env.PILOT_SQLITE_BINDING ?? (electronApp.isPackaged ? join(process.resourcesPath, 'native', 'better_sqlite3.node') : undefined);
    // The model key: safeStorage works only after 'ready' (main/keychain.ts has the rules).
    let keyInfo: DesktopKeyInfo | null = null;
    const describeKey = async () => (keyInfo = (await loadDesktopKey(dataDir, safeStorage).catch(() => null))?.info ?? keyInfo!);
    backend = createApp({ dataDir, workerPath: workerPath(), mode: 'desktop', version: electronApp.getVersion(), electronVersion: process.versions.electron ?? null, describeKey, ...(nativeBinding ? { nativeBinding } : {}) });
    const started = await startDesktopKey(dataDir, safeStorage, getSetting<boolean>(backend.store.read, 'models.encryptAtRest') === true);
    keyInfo = started.info;
    if (started.notice) void dialog.showMessageBox({ type: 'warning', title: 'Model key', message: 'Model key', detail: started.notice });
    const moveKey = async () => {
      try {
        const info = await moveKeyToKeychain(dataDir, safeStorage);
        holdKey((await loadDesktopKey(dataDir, safeStorage)).key);
        void dialog.showMessageBox({ type: 'info', title: 'Model key', message: 'The model key is now in the keychain', detail: `Fingerprint ${info.fingerprint}; the plain key file was removed. The CLI needs Help > Export model key to key file to read encrypted models.` });
      } catch (error) {
        dialog.showErrorBox('Model key', error instanceof Error ? error.message : String(error));
      }
    };
    const exportKey = async () => {
      try {
        const written = await exportKeyFile(dataDir, safeStorage);
        void dialog.showMessageBox({ type: 'info', title: 'Model key', message: 'Model key exported', detail: `Key ${written.fingerprint} written to ${written.path} (owner-only): the CLI and serve mode can now read encrypted models.` });
      } catch (error) {
        dialog.showErrorBox('Model key', error instanceof Error ? error.message : String(error));
      }
    };
    if (started.info.canMoveToKeychain && getSetting<boolean>(backend.store.read, 'keychain.moveOffered') !== true) {
      setSetting(backend.store.write, 'keychain.moveOffered', true, Date.now());
      const answer = await dialog.showMessageBox({
        type: 'question',
        buttons: ['Move to keychain', 'Not now'],
        defaultId: 0,
        title: 'Model key',
        message: "Move the model key into the operating system's keychain?",
        detail: `The key is in ${started.info.path} in the clear (owner-only). Moved, it is wrapped by the keychain and the plain file is removed once the wrapped copy reads back. Help > Move model key to keychain does it later.`,
      });
      if (answer.response === 0) await moveKey();
    }
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
    });
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));

    const fromOurPage = (event: IpcMainInvokeEvent) => event.senderFrame?.url.startsWith(pathToFileURL(rendererDir()).href) === true;
    ipcMain.handle(IPC.invoke, (event, channel: unknown, input: unknown) => {
      if (!fromOurPage(event)) return { ok: false, error: { code: 'invalid-input', message: 'Calls are accepted from the workbench page only.' } };
      return invoke(backend!, String(channel), input);
    });
    ipcMain.handle(IPC.pickFile, async (event, filters: unknown) => {
      if (!fromOurPage(event) || !window) return null;
      const result = await dialog.showOpenDialog(window, {
        properties: ['openFile'],
        filters: Array.isArray(filters) ? (filters as Electron.FileFilter[]) : [{ name: 'Data files', extensions: ['csv', 'tsv', 'txt'] }, { name: 'All files', extensions: ['*'] }],
      });
      return result.canceled ? null : (result.filePaths[0] ?? null);
    });
    ipcMain.handle(IPC.pickFolder, async (event) => {
      if (!fromOurPage(event) || !window) return null;
      const result = await dialog.showOpenDialog(window, { properties: ['openDirectory'] });
      return result.canceled ? null : (result.filePaths[0] ?? null);
    });
    ipcMain.handle(IPC.saveFile, async (event, defaultName: unknown, content: unknown) => {
      if (!fromOurPage(event) || !window || typeof defaultName !== 'string' || typeof content !== 'string') return null;
      const result = await dialog.showSaveDialog(window, { defaultPath: join(electronApp.getPath('documents'), defaultName.replace(/[/\\]/g, '_')) });
      if (result.canceled || !result.filePath) return null;
      await writeFile(result.filePath, content, 'utf8');
      return result.filePath;
    });
    ipcMain.handle(IPC.savePdf, async (event, defaultName: unknown, html: unknown) => {
      if (!fromOurPage(event) || !window || typeof defaultName !== 'string' || typeof html !== 'string') return null;
      const result = await dialog.showSaveDialog(window, {
        defaultPath: join(electronApp.getPath('documents'), defaultName.replace(/[/\\]/g, '_')),
        filters: [{ name: 'PDF', extensions: ['pdf'] }],
      });
      if (result.canceled || !result.filePath) return null;
      // The report is self-contained (inline CSS and SVG): render it in a hidden, script-less window.
      const page = join(electronApp.getPath('temp'), `pilot-report-${process.pid}-${Date.now()}.html`);
      await writeFile(page, html, 'utf8');
      const printer = new BrowserWindow({ show: false, webPreferences: { javascript: false, contextIsolation: true, nodeIntegration: false, sandbox: true } });
      try {
        await printer.loadFile(page);
        await writeFile(result.filePath, await printer.webContents.printToPDF({ printBackground: true, pageSize: 'A4' }));
      } finally {
        printer.destroy();
        await rm(page, { force: true });
      }
      return result.filePath;
    });
    backend.jobs.on('job', (event) => {
      const push: PushEvent = { type: 'job', ...event };
      window?.webContents.send(IPC.event, push);
    });
    // The drift watch folder: a desktop notification when a dropped file drifted or could not be checked.
    driftWatchEvents.on('drift', (event) => {
      window?.webContents.send(IPC.event, event);
      const name = event.file.split(/[\\/]/).pop() ?? event.file;
      if (event.driftReportId === null) new Notification({ title: `Drift check of ${name} failed`, body: event.message }).show();
      else if (event.recommendation === 'retrain' || event.recommendation === 'watch') new Notification({ title: `Drift in ${name} (${event.version})`, body: event.message }).show();
    });

    Menu.setApplicationMenu(
      Menu.buildFromTemplate([
        ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
        { role: 'fileMenu' },
        { role: 'editMenu' },
        { role: 'viewMenu' },
        { role: 'windowMenu' },
        {
          role: 'help',
          submenu: [
            { label: 'Open data folder', click: () => void shell.openPath(dataDir) },
            { label: 'Move model key to keychain', click: () => void moveKey() },
            { label: 'Export model key to key file', click: () => void exportKey() },
          ],
        },
      ]),
    );

    const saved = getSetting<WindowState>(backend.store.read, 'window.state');
    window = new BrowserWindow({
      width: saved?.width ?? 1280,
      height: saved?.height ?? 820,
      ...(saved?.x !== undefined && saved.y !== undefined ? { x: saved.x, y: saved.y } : {}),
      minWidth: 900,
      minHeight: 600,
      title: 'Pilot Workbench',
      show: false,
      webPreferences: {
        preload: distPath('electron', 'preload.cjs'),
        contextIsolation: true,
        nodeIntegration: false,
        webviewTag: false,
        spellcheck: false,
        // Last, after any other option, so nothing above can turn it off (VS Code's order).
        sandbox: true,
      },
    });
    if (saved?.maximized) window.maximize();
    window.once('ready-to-show', () => window?.show());
    window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
    window.webContents.on('will-navigate', (event, url) => {
      if (url !== pageUrl) event.preventDefault();
    });
    window.on('close', () => {
      if (!window || !backend) return;
      const bounds = window.getNormalBounds();
      setSetting(backend.store.write, 'window.state', { ...bounds, maximized: window.isMaximized() } satisfies WindowState, Date.now());
    });
    window.on('closed', () => (window = null));
    void window.loadURL(pageUrl);
  });

  electronApp.on('window-all-closed', () => electronApp.quit());
  electronApp.on('will-quit', (event) => {
    if (!backend) return;
    event.preventDefault();
    const closing = backend;
    backend = null;
    void closing.close().finally(() => electronApp.quit());
  });
}
