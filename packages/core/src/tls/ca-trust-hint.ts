/**
 * The one hint about trusting credless's local CA, printed wherever verifying credless's TLS certificate
 * fails (`credless get-token`, the CLI's HTTPS calls) and written where the docs show a client (the
 * README's SDK snippet, `credless ci env`'s curl line). Why one: each client trusts a CA its own way,
 * and a user who met one variant should recognise the others.
 * @module
 */

/** Where `credless up` keeps its local CA, as the docs name it. */
export const LOCAL_CA_FILE = '<data dir>/tls/ca.crt';

/** "trust credless's local CA …: NODE_EXTRA_CA_CERTS=… (Node…), curl --cacert …, REQUESTS_CA_BUNDLE=… (…)". */
export function caTrustHint(caFile: string = LOCAL_CA_FILE): string {
  return (
    `trust credless's local CA ${caFile}: NODE_EXTRA_CA_CERTS=${caFile} ` +
    `(Node: the Azure SDKs, MSAL, credless get-token under kubectl), curl --cacert ${caFile}, ` +
    `REQUESTS_CA_BUNDLE=${caFile} (Python: az, azure-identity)`
  );
}

// OpenSSL's verification failures as Node reports them (error.code), plus the host name mismatch.
const CERTIFICATE_ERROR_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Whether the error, or a cause in its chain (fetch wraps it), is a failed certificate verification. */
export function isCertificateVerificationError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && CERTIFICATE_ERROR_CODES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
