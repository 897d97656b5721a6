/**
 * One admission: parse the review, find the pod's ServiceAccount, mutate, answer. Always resolves:
 * every failure is a well-formed denial (or, when there is no uid to answer, a 400 reason).
 * @module
 */
import { CredlessError } from '@credless/core';
import type { IdentityBindingPolicy } from '../mutation/identity-bindings.ts';
import { mutatePod, readPod } from '../mutation/mutate-pod.ts';
import { isObject, type MutationConfig } from '../mutation/types.ts';
import { usesWorkloadIdentity } from '../mutation/use-label.ts';
import type { ServiceAccountSource } from '../service-accounts/source.ts';
import { type AdmissionReviewResponse, allowed, denied, parseAdmissionReview } from './review.ts';

export interface AdmissionDeps {
  config: MutationConfig;
  serviceAccounts: ServiceAccountSource;
  bindings?: IdentityBindingPolicy | undefined;
  /** Unexpected failures (not denials) are reported here. */
  onError?: (error: unknown) => void;
}

export type AdmissionOutcome =
  | { status: 200; body: AdmissionReviewResponse }
  | { status: 400; body: { message: string } };

export async function reviewAdmission(body: unknown, deps: AdmissionDeps): Promise<AdmissionOutcome> {
  const parsed = parseAdmissionReview(body);
  if (!parsed.ok) {
    if (parsed.uid === undefined)
      return { status: 400, body: { message: `invalid AdmissionReview: ${parsed.reason}` } };
    const error = new CredlessError('webhook_review_invalid', { reason: parsed.reason });
    return { status: 200, body: denied(parsed.apiVersion, parsed.uid, error) };
  }
  const { apiVersion, uid, request } = parsed.review;
  try {
    // Only labelled pods at CREATE are ours; anything else routed here passes untouched.
    const object = request['object'];
    if (!isPodCreate(request) || (isObject(object) && !usesWorkloadIdentity(object['metadata'])))
      return { status: 200, body: allowed(apiVersion, uid) };
    const pod = readPod(object);
    const namespace = namespaceOf(request);
    const serviceAccount = await deps.serviceAccounts.get(namespace, pod.serviceAccountName);
    if (!serviceAccount)
      throw new CredlessError('webhook_service_account_not_found', {
        name: pod.serviceAccountName,
        namespace,
      });
    const result = mutatePod({
      pod,
      namespace,
      serviceAccount,
      config: deps.config,
      bindings: deps.bindings,
    });
    return { status: 200, body: allowed(apiVersion, uid, result.patch, result.warnings) };
  } catch (error) {
    if (!(error instanceof CredlessError)) deps.onError?.(error);
    return { status: 200, body: denied(apiVersion, uid, error) };
  }
}

function isPodCreate(request: Record<string, unknown>): boolean {
  const object = request['object'];
  // The API server always names the kind; other callers (tests, a local cluster) may rely on the object's.
  const kind = isObject(request['kind'])
    ? request['kind']['kind']
    : isObject(object)
      ? (object['kind'] ?? 'Pod')
      : 'Pod';
  const resource = isObject(request['resource']) ? request['resource']['resource'] : undefined;
  const subResource = request['subResource'];
  const operation = request['operation'];
  return (
    kind === 'Pod' &&
    (resource === undefined || resource === 'pods') &&
    (subResource === undefined || subResource === '') &&
    (operation === undefined || operation === 'CREATE')
  );
}

/** request.namespace is authoritative; a pod created without one carries it nowhere else reliably. */
function namespaceOf(request: Record<string, unknown>): string {
  const fromRequest = request['namespace'];
  if (typeof fromRequest === 'string' && fromRequest !== '') return fromRequest;
  const object = request['object'];
  const metadata = isObject(object) && isObject(object['metadata']) ? object['metadata'] : {};
  if (typeof metadata['namespace'] === 'string' && metadata['namespace'] !== '') return metadata['namespace'];
  throw new CredlessError('webhook_pod_invalid', { reason: 'the request names no namespace' });
}
