/**
 * ARM's tags of a tracked resource (resource groups, managed clusters): at most 50, each a name of
 * 1-512 characters with a string value of at most 256. A PUT replaces them all; absent or null: none.
 * @module
 */
import { CredlessError } from '@credless/core';

const MAX_TAGS = 50;

const invalidContent = (reason: string) => new CredlessError('arm_request_content_invalid', { reason });

/** The body's `tags` as ARM keeps them (null when absent), or InvalidRequestContent. */
export function parseArmTags(tags: unknown): Record<string, string> | null {
  if (tags === undefined || tags === null) return null;
  if (typeof tags !== 'object' || Array.isArray(tags)) throw invalidContent('tags must be an object');
  const entries = Object.entries(tags as Record<string, unknown>);
  if (entries.length > MAX_TAGS) throw invalidContent(`at most ${MAX_TAGS} tags`);
  for (const [key, value] of entries) {
    if (typeof value !== 'string' || key.length === 0 || key.length > 512 || value.length > 256) {
      throw invalidContent(
        `tag '${key.slice(0, 64)}' must have a name of 1-512 and a string value of ≤256 characters`,
      );
    }
  }
  return Object.fromEntries(entries) as Record<string, string>;
}
