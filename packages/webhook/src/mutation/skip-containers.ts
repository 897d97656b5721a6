/**
 * Rule: containers (and init containers) the pod asks to leave alone, from the `;`-separated
 * skip-containers annotation; names are trimmed and empty entries ignored.
 * @module
 */
import { SKIP_CONTAINERS_ANNOTATION } from './constants.ts';

export function skippedContainers(podAnnotations: Readonly<Record<string, unknown>>): ReadonlySet<string> {
  const raw = podAnnotations[SKIP_CONTAINERS_ANNOTATION];
  if (typeof raw !== 'string') return new Set();
  return new Set(
    raw
      .split(';')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
  );
}
