// Lint, including the import boundaries: the folder is the room (the runtime its code runs in) and
// imports flow one way. `@typescript-eslint/no-restricted-imports` with `allowTypeImports` lets
// the renderer import types from main/ while refusing values.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

const restrict = (patterns, { allowTypes = false } = {}) => ({
  '@typescript-eslint/no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ ...group, allowTypeImports: allowTypes })) }],
});
const noElectron = { group: ['electron'], message: 'Only main/electron/ imports electron: everything else runs under plain Node too.' };

export default ts.config(
  { ignores: ['dist/', 'release/', 'node_modules/', 'coverage/', '.tmp/', 'bench/out/', '**/*.d.ts'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] }, globals: { ...globals.browser } },
  },
  {
    files: ['renderer/src/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: restrict(
      [
        { group: ['**/main/**', '**/db/**', '**/workers/**'], message: 'The renderer imports only types from main/, db/ and workers/ (`import type`).' },
        { group: ['node:*', 'better-sqlite3', '@tensorflow/*', 'systeminformation'], message: 'The renderer never touches Node: call the backend through the bridge.' },
        noElectron,
      ],
      { allowTypes: true },
    ),
  },
  {
    files: ['db/**'],
    rules: restrict([
      { group: ['**/renderer/**', '**/main/**'], message: 'workers/ and db/ are libraries: they never import the app (main/) or the UI (renderer/).' },
      noElectron,
    ]),
  },
  {
    files: ['workers/**'],
    rules: restrict([
      { group: ['**/renderer/**', '**/main/**'], message: 'workers/ and db/ are libraries: they never import the app (main/) or the UI (renderer/).' },
      { group: ['**/db/**', 'better-sqlite3'], message: 'Workers never touch the database: they compute and return plain data; the main process stores it.' },
      noElectron,
    ]),
  },
  {
    files: ['main/**'],
    ignores: ['main/electron/**'],
    rules: restrict([{ group: ['**/renderer/**'], message: 'main/ never imports the UI.' }, noElectron]),
  },
  {
    files: ['main/electron/**'],
    rules: restrict([{ group: ['**/renderer/**'], message: 'The desktop shell never imports the UI: the bridge type is in main/contract/bridge.ts.' }]),
  },
  {
    // common/ is the pure room every runtime may import values from (the renderer included): no
    // packages, no Node, no DOM, nothing outside itself.
    files: ['common/**'],
    languageOptions: { globals: {} },
    rules: restrict([{ group: ['node:*', '[a-z]*', '@*', '../*'], message: 'common/ is pure and dependency-free: it imports only from common/ itself.' }]),
  },
  {
    files: ['test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
