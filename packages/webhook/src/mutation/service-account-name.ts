/**
 * Rule: which ServiceAccount the pod runs as. Kubernetes fills in "default" after admission, so an
 * absent name means "default" here too; the deprecated `serviceAccount` field is still honoured.
 * @module
 */
import { isObject } from './types.ts';

export function serviceAccountName(spec: unknown): string {
  if (!isObject(spec)) return 'default';
  for (const field of ['serviceAccountName', 'serviceAccount']) {
    const value = spec[field];
    if (typeof value === 'string' && value !== '') return value;
  }
  return 'default';
}
