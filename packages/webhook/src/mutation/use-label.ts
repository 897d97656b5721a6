/**
 * Rule: only pods labelled `azure.workload.identity/use: "true"` are mutated. The webhook
 * configuration's objectSelector already filters on it; checking again here keeps a broad
 * configuration (or a local cluster that sends every pod) from touching, or refusing, other pods.
 * @module
 */
import { USE_LABEL } from './constants.ts';
import { isObject } from './types.ts';

export function usesWorkloadIdentity(metadata: unknown): boolean {
  const labels = isObject(metadata) ? metadata['labels'] : undefined;
  return isObject(labels) && labels[USE_LABEL] === 'true';
}
