/**
 * Glob matching for `matches`: `*` is any run of characters (possibly empty), `?` exactly one, every
 * other character stands for itself. The classic two-pointer algorithm that remembers only the last
 * `*` and backtracks once per text position: O(text × pattern) at worst, never exponential, and no
 * RegExp is ever built from configuration.
 * @module
 */

/** Characters are compared as Unicode code points, so `?` matches one astral character, not half of one. */
export function matchesGlob(text: string, pattern: string): boolean {
  const value = Array.from(text);
  const glob = Array.from(pattern);
  let g = 0;
  let v = 0;
  let lastStar = -1;
  let resumeAt = 0;
  while (v < value.length) {
    const current = glob[g];
    if (current === '*') {
      // Let the star match nothing for now; remember where to resume if that fails.
      lastStar = g;
      resumeAt = v;
      g += 1;
    } else if (current !== undefined && (current === '?' || current === value[v])) {
      g += 1;
      v += 1;
    } else if (lastStar >= 0) {
      // Let the last star swallow one more character and retry after it.
      g = lastStar + 1;
      resumeAt += 1;
      v = resumeAt;
    } else {
      return false;
    }
  }
  while (glob[g] === '*') g += 1;
  return g === glob.length;
}
