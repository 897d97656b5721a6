/**
 * The self-reviews every signed-in caller may make (kube's `system:basic-user`): `kubectl auth can-i`
 * (authorization.k8s.io/v1 SelfSubjectAccessReview, answered by the same Azure RBAC decision as the
 * request itself would get) and `kubectl auth whoami` (authentication.k8s.io/v1 SelfSubjectReview).
 * @module
 */
import { CredlessError, type KubeVerb } from '@credless/core';
import type { ObjectAnswer } from './kube-objects.ts';
import { parseJson } from './kube-objects.ts';
import { decodeAccessReview, PROTOBUF_TYPE } from './kube-protobuf.ts';

export const ACCESS_REVIEW_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
export const SELF_REVIEW_PATH = '/apis/authentication.k8s.io/v1/selfsubjectreviews';

/** What a review asks about, in the terms of the authorization decision. */
export interface ReviewedRequest {
  verb: KubeVerb;
  namespace?: string;
  resource?: string;
}

const VERBS = new Set<string>([
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
]);

function reviewedRequest(body: unknown): ReviewedRequest {
  const spec = (body as { spec?: Record<string, Record<string, string> | undefined> } | null)?.spec;
  const attributes = spec?.['resourceAttributes'] ?? spec?.['nonResourceAttributes'];
  const verb = attributes?.['verb'];
  if (!attributes || typeof verb !== 'string' || (verb !== '*' && !VERBS.has(verb)))
    throw new CredlessError('kube_request_invalid', {
      reason:
        'SelfSubjectAccessReview.authorization.k8s.io is invalid: spec: resourceAttributes or nonResourceAttributes with a known verb is required',
    });
  const resource = spec?.['resourceAttributes']?.['resource'];
  const namespace = spec?.['resourceAttributes']?.['namespace'];
  return {
    verb: (verb === '*' ? 'deletecollection' : verb) as KubeVerb,
    ...(resource ? { resource } : {}),
    ...(namespace ? { namespace } : {}),
  };
}

/** `kubectl auth can-i`: allowed as the caller's role assignments decide. */
export async function selfSubjectAccessReview(
  body: Buffer | undefined,
  contentType: string | undefined,
  decide: (request: ReviewedRequest) => Promise<boolean>,
): Promise<ObjectAnswer> {
  // kubectl's typed client sends protobuf; JSON as any other client.
  const review = (
    contentType?.startsWith(PROTOBUF_TYPE) && body ? decodeAccessReview(body) : parseJson(body)
  ) as { spec?: unknown };
  const allowed = await decide(reviewedRequest(review));
  return {
    status: 201,
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      metadata: {},
      spec: review.spec,
      status: allowed
        ? { allowed: true, reason: 'allowed by an Azure RBAC role assignment' }
        : {
            allowed: false,
            reason:
              'User does not have access to the resource in Azure. Update role assignment to allow access.',
          },
    },
  };
}

/** `kubectl auth whoami`: the caller as the API server sees it (its object id, as AKS names AAD callers). */
export function selfSubjectReview(principalId: string, appId: string | undefined): ObjectAnswer {
  return {
    status: 201,
    body: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
      metadata: {},
      status: {
        userInfo: {
          username: principalId,
          uid: principalId,
          groups: ['system:authenticated'],
          ...(appId ? { extra: { appid: [appId] } } : {}),
        },
      },
    },
  };
}
