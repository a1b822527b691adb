/** Builds the backend (dist/cli.js, dist/worker.js) once before any test spawns it. */
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['build/build.mjs', '--backend'], { stdio: 'inherit' });
}
