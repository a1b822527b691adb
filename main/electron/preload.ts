/**
 * The preload: a short list of named functions on `window.pilot`, nothing else.
 * It runs sandboxed, so it can use only `contextBridge` and `ipcRenderer`.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { DesktopBridge } from '../contract/bridge.js';
import { IPC } from './bridge.js';

const bridge = {
  desktop: true,
  invoke: (channel: string, input: unknown) => ipcRenderer.invoke(IPC.invoke, channel, input),
  onEvent(listener: (event: unknown) => void) {
    const handler = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(IPC.event, handler);
    return () => void ipcRenderer.off(IPC.event, handler);
  },
  pickFile: (filters?: { name: string; extensions: string[] }[]) => ipcRenderer.invoke(IPC.pickFile, filters ?? null),
  pickFolder: () => ipcRenderer.invoke(IPC.pickFolder),
  saveFile: (defaultName: string, content: string) => ipcRenderer.invoke(IPC.saveFile, defaultName, content),
  savePdf: (defaultName: string, html: string) => ipcRenderer.invoke(IPC.savePdf, defaultName, html),
} satisfies DesktopBridge;

contextBridge.exposeInMainWorld('pilot', bridge);
