/** The version `credless --version` prints: the CLI package's own, read from its package.json. */
import { readFileSync } from 'node:fs';

/**
 * The nearest package.json above this module: the package root from src/ and dist/ in the workspace,
 * and from the bundle's dist/ or dist/chunks/ in the published package (scripts/pack.ts).
 */
export function cliVersion(): string {
  for (let dir = new URL('./', import.meta.url); dir.pathname !== '/'; dir = new URL('../', dir)) {
    try {
      return (JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { version: string }).version;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new Error('credless: no package.json above the CLI');
}
