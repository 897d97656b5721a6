/**
 * The shapes of the catalogue's entries and the small builders the per-area catalogue files use.
 * @module
 */

export type Params = Record<string, string | number | undefined>;
export type Message = (p: Params) => string;

export interface StsErrorSpec {
  kind: 'sts';
  status: number;
  /** OAuth 2.0 `error` value. */
  error:
    | 'invalid_request'
    | 'invalid_client'
    | 'unauthorized_client'
    | 'unsupported_grant_type'
    | 'invalid_scope'
    | 'invalid_resource'
    | 'invalid_grant'
    | 'invalid_instance'
    | 'temporarily_unavailable'
    | 'server_error';
  aadsts: number;
  message: Message;
}

export interface DirectoryErrorSpec {
  kind: 'directory';
  status: number;
  /** Microsoft Graph error code. */
  graph: string;
  message: Message;
}

/** Kubernetes admission webhook denials: the status code and reason of the AdmissionResponse status. */
export interface AdmissionErrorSpec {
  kind: 'admission';
  status: number;
  /** Kubernetes metav1.StatusReason. */
  reason: 'BadRequest' | 'Forbidden' | 'InternalError';
  message: Message;
}

export const NO_MATCH_HINT =
  'Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.';

export const sts = (
  status: number,
  error: StsErrorSpec['error'],
  aadsts: number,
  message: Message,
): StsErrorSpec => ({
  kind: 'sts',
  status,
  error,
  aadsts,
  message,
});
export const adm = (
  status: number,
  reason: AdmissionErrorSpec['reason'],
  message: Message,
): AdmissionErrorSpec => ({
  kind: 'admission',
  status,
  reason,
  message,
});
export const dir = (status: number, graph: string, message: Message): DirectoryErrorSpec => ({
  kind: 'directory',
  status,
  graph,
  message,
});
