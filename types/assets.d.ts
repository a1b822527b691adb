/** SQL migration files are bundled as text (`?raw`), by Vite in tests and by esbuild in builds. */
declare module '*.sql?raw' {
  const text: string;
  export default text;
}
