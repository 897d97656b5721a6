/**
 * Catalogue entries for the Kubernetes admission webhook: denials shown by kubectl.
 * Part of the one catalogue (catalogue.ts spreads them in, in this order).
 * @module
 */
import { type AdmissionErrorSpec, adm } from './catalogue-specs.ts';

export const ADMISSION_ERRORS = {
  // ---- Kubernetes admission webhook (packages/webhook): denials shown by kubectl to whoever creates the pod
  webhook_service_account_not_found: adm(
    400,
    'BadRequest',
    (p) =>
      `serviceaccounts "${p.name}" not found in namespace "${p.namespace}": create the ServiceAccount before the pod (or set spec.serviceAccountName)`,
  ),
  webhook_service_account_unavailable: adm(
    500,
    'InternalError',
    (p) =>
      `could not read ServiceAccount ${p.namespace}/${p.name} from the Kubernetes API (${p.reason}); the pod is refused rather than admitted without its identity`,
  ),
  webhook_token_expiration_invalid: adm(
    400,
    'BadRequest',
    (p) =>
      `token expiration ${p.value} not valid. Expected value to be between 3600 and 86400 (annotation azure.workload.identity/service-account-token-expiration on ${p.source})`,
  ),
  webhook_identity_binding_denied: adm(
    403,
    'Forbidden',
    (p) =>
      `ServiceAccount ${p.namespace}/${p.name} may not use client id ${p.clientId}: ${p.reason} (identity bindings policy)`,
  ),
  webhook_mount_conflict: adm(
    400,
    'BadRequest',
    (p) =>
      `container "${p.container}" already mounts volume "${p.volume}" at ${p.mountPath}, where the workload identity token goes; remove that mount or change the webhook's token path`,
  ),
  webhook_pod_invalid: adm(400, 'BadRequest', (p) => `the pod cannot be admitted: ${p.reason}`),
  webhook_review_invalid: adm(400, 'BadRequest', (p) => `invalid AdmissionReview: ${p.reason}`),
  webhook_config_invalid: adm(500, 'InternalError', (p) => `invalid webhook configuration: ${p.reason}`),
} as const satisfies Record<string, AdmissionErrorSpec>;
