/**
 * Serve mode's path confinement, in-process: which input fields count as paths (checked against
 * every channel's schema, so a new channel's path field cannot slip through unnamed), and how
 * roots and refusals are decided.
 */
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { channels } from '../../main/contract/index.js';
import { isPathKey, refusedPaths, resolveRoots } from '../../main/serve/confine.js';
import { tempDir } from '../helpers.js';

/** String fields of channel inputs that are not paths. A new one: name it …Path/…Dir/…Folder if it is a path, else add it here. */
const NOT_PATHS = new Set([
  'target', 'positive', 'protected', 'prediction', 'missingMarkers', 'machineId', 'text', 'name', 'project', 'ref', 'reason', 'alias',
  'version', 'refs', 'question', 'successMetric', 'successClass', 'currency', 'exclude', 'include', 'positiveClass', 'model', 'note',
  'cost', 'benefit', 'label', 'predictionColumn', 'labelColumn', 'columns', 'ignoreColumns', 'textColumn', 'normal', 'time', 'id', 'holiday',
  'column', 'pathColumn',
  // tryit:score: the user's own name for an uploaded file (shown in messages, never opened), and the typed rows' cells (arrays, never paths).
  'fileName', 'rows',
  // tryit:text: typed documents; image:train: a graph backbone's feature node name.
  'texts', 'backboneOutput',
]);

interface Def {
  type: string;
  shape?: Record<string, { _zod: { def: Def } }>;
  innerType?: { _zod: { def: Def } };
  in?: { _zod: { def: Def } };
  element?: { _zod: { def: Def } };
  options?: { _zod: { def: Def } }[];
  left?: { _zod: { def: Def } };
  right?: { _zod: { def: Def } };
  valueType?: { _zod: { def: Def } };
}

/** The names of the string (or string-array) fields of a zod schema, at any depth. */
function stringFields(def: Def, key: string, out: Set<string>): void {
  const inner = [def.innerType, def.in, def.element, def.left, def.right, def.valueType, ...(def.options ?? [])];
  if (def.type === 'string' && key) out.add(key);
  if (def.type === 'object') for (const [name, schema] of Object.entries(def.shape ?? {})) stringFields(schema._zod.def, name, out);
  for (const schema of inner) if (schema) stringFields(schema._zod.def, key, out);
}

describe('serve mode path confinement', () => {
  it('knows every string field of every channel as a path or not', () => {
    const fields = new Set<string>();
    for (const channel of Object.values(channels)) stringFields((channel.input as unknown as { _zod: { def: Def } })._zod.def, '', fields);
    const unclassified = [...fields].filter((field) => !isPathKey(field) && !NOT_PATHS.has(field));
    expect(unclassified, 'a channel has a string field that is neither named like a path nor listed as not one').toEqual([]);
    for (const field of ['path', 'outPath', 'referencePath', 'currentPath', 'dirs', 'folder', 'libraryDirs', 'imagesDir', 'source', 'backbone']) expect(isPathKey(field), field).toBe(true);
    expect([...fields].filter(isPathKey).sort()).toEqual(expect.arrayContaining(['currentPath', 'dirs', 'outPath', 'path', 'referencePath', 'source']));
  });

  it('refuses system folders as roots, except a home inside one, and resolves links', () => {
    const { dir, cleanup } = tempDir();
    try {
      expect(() => resolveRoots(['/etc'], { dataDir: dir, home: '/home/someone' })).toThrow(/never opens system folders/);
      expect(() => resolveRoots(['/'], { dataDir: dir, home: '/home/someone' })).toThrow(/holds/);
      expect(() => resolveRoots(['/var/lib'], { dataDir: dir, home: '/home/someone' })).toThrow(/lies in \/var/);
      expect(resolveRoots(['/root'], { dataDir: dir, home: '/root' })).toEqual([dir, '/root']);
      mkdirSync(join(dir, 'data'));
      symlinkSync('/etc', join(dir, 'looks-fine'));
      expect(() => resolveRoots([join(dir, 'looks-fine')], { dataDir: join(dir, 'data'), home: '/home/someone' })).toThrow(/never opens system folders/);
    } finally {
      cleanup();
    }
  });

  it('finds paths at any depth and in settings, and lets the roots through', () => {
    const roots = ['/srv/data'];
    expect(refusedPaths('x', { path: '/srv/data/a.csv', nested: { outPath: '/srv/data/out/p.csv' } }, roots)).toEqual([]);
    expect(refusedPaths('x', { nested: { outPath: '/tmp/p.csv' } }, roots)).toEqual([{ field: 'nested.outPath', path: '/tmp/p.csv', why: 'outside' }]);
    expect(refusedPaths('settings:set', { key: 'gpu.libraryDirs', value: ['/srv/data/cuda', '/usr/lib'] }, roots)).toEqual([{ field: 'gpu.libraryDirs', path: '/usr/lib', why: 'outside' }]);
    expect(refusedPaths('settings:set', { key: 'drift.watch', value: { folder: '/srv/data/.ssh', version: 'a@1' } }, roots)).toEqual([{ field: 'drift.watch.folder', path: '/srv/data/.ssh', why: 'secret' }]);
    // Trying a model on a file: its path is confined; the name the user knows it by is not a path.
    expect(refusedPaths('tryit:score', { ref: 1, path: '/etc/passwd', fileName: '/etc/shadow' }, roots)).toEqual([{ field: 'path', path: '/etc/passwd', why: 'outside' }]);
    // Typed rows are arrays named by `columns`, so a data column called "path" is never taken for one.
    expect(refusedPaths('tryit:score', { ref: 1, columns: ['path', 'file'], rows: [['/etc/passwd', '/etc/shadow']] }, roots)).toEqual([]);
  });
});
