/**
 * Claims of a Kubernetes service-account token as kube-apiserver issues them (TokenRequest / projected
 * volumes), for credless's local clusters. Pure: times, ids and the issuer come from the caller.
 * @module
 */

export interface ServiceAccountTokenInput {
  /** The cluster's OIDC issuer URL, exactly as published (AKS-style, trailing slash). */
  issuer: string;
  namespace: string;
  serviceAccount: { name: string; uid: string };
  /** Bound object: the pod the token is projected into (absent for a plain TokenRequest). */
  pod?: { name: string; uid: string };
  /** Node of the pod, when known. */
  node?: { name: string; uid: string };
  audiences: readonly string[];
  /** Epoch seconds. */
  issuedAt: number;
  expirationSeconds: number;
  jti: string;
}

/** kube-apiserver's bounds for TokenRequest expirationSeconds: at least 10 minutes, at most 2^32 s. */
export const SERVICE_ACCOUNT_TOKEN_MIN_SECONDS = 600;
export const SERVICE_ACCOUNT_TOKEN_MAX_SECONDS = 2 ** 32;
/** kubelet's default for projected tokens (1 h). */
export const SERVICE_ACCOUNT_TOKEN_DEFAULT_SECONDS = 3600;

/** `system:serviceaccount:<namespace>:<name>`, the subject federated credentials name. */
export function serviceAccountSubject(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** DNS-1123 label (namespaces) and subdomain (names), as the API server validates them. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why the input cannot become a token, or undefined when it can. */
export function checkServiceAccountTokenInput(input: ServiceAccountTokenInput): string | undefined {
  if (input.namespace.length > 63 || !DNS_LABEL.test(input.namespace))
    return `namespace '${input.namespace}' is not a DNS-1123 label`;
  if (input.serviceAccount.name.length > 253 || !DNS_SUBDOMAIN.test(input.serviceAccount.name))
    return `service account name '${input.serviceAccount.name}' is not a DNS-1123 subdomain`;
  if (input.audiences.length === 0 || input.audiences.some((a) => a.length === 0))
    return 'at least one non-empty audience is required';
  if (
    !Number.isInteger(input.expirationSeconds) ||
    input.expirationSeconds < SERVICE_ACCOUNT_TOKEN_MIN_SECONDS ||
    input.expirationSeconds > SERVICE_ACCOUNT_TOKEN_MAX_SECONDS
  )
    return `expirationSeconds must be an integer of at least ${SERVICE_ACCOUNT_TOKEN_MIN_SECONDS}`;
  return undefined;
}

/**
 * The payload, member for member as kube-apiserver writes it: `aud` always an array, `nbf` = `iat`,
 * and the private `kubernetes.io` claim with the bound objects (no `warnafter`: that is only added for
 * the API server's own audiences, which local clusters' workloads never request).
 */
export function buildServiceAccountTokenClaims(input: ServiceAccountTokenInput): Record<string, unknown> {
  const problem = checkServiceAccountTokenInput(input);
  if (problem) throw new Error(`invalid service-account token request: ${problem}`);
  const kubernetes: Record<string, unknown> = { namespace: input.namespace };
  if (input.node) kubernetes['node'] = { name: input.node.name, uid: input.node.uid };
  if (input.pod) kubernetes['pod'] = { name: input.pod.name, uid: input.pod.uid };
  kubernetes['serviceaccount'] = { name: input.serviceAccount.name, uid: input.serviceAccount.uid };
  return {
    aud: [...input.audiences],
    exp: input.issuedAt + input.expirationSeconds,
    iat: input.issuedAt,
    iss: input.issuer,
    jti: input.jti,
    'kubernetes.io': kubernetes,
    nbf: input.issuedAt,
    sub: serviceAccountSubject(input.namespace, input.serviceAccount.name),
  };
}
