/**
 * AdmissionReview v1 / v1beta1 in and out. Parsing never throws: anything malformed becomes either a
 * denial that echoes the request uid (the API server can match it) or, without a uid, a reason for a
 * plain 400.
 * @module
 */
import { CredlessError, ERROR_CATALOGUE } from '@credless/core';
import { type AddOperation, isObject, type JsonObject } from '../mutation/types.ts';

export const ADMISSION_V1 = 'admission.k8s.io/v1';
export const ADMISSION_V1BETA1 = 'admission.k8s.io/v1beta1';
const VERSIONS = new Set([ADMISSION_V1, ADMISSION_V1BETA1]);
/** Longer uids are not Kubernetes uids; echoing them would only grow the response. */
const MAX_UID_LENGTH = 128;

export interface AdmissionRequestView {
  apiVersion: string;
  uid: string;
  request: JsonObject;
}

export type ParsedReview =
  | { ok: true; review: AdmissionRequestView }
  | { ok: false; apiVersion: string; uid: string | undefined; reason: string };

export function parseAdmissionReview(body: unknown): ParsedReview {
  const fail = (reason: string, uid?: string, apiVersion = ADMISSION_V1): ParsedReview => ({
    ok: false,
    apiVersion,
    uid,
    reason,
  });
  if (!isObject(body)) return fail('the body is not a JSON object');
  const request = isObject(body['request']) ? body['request'] : undefined;
  const rawUid = request?.['uid'];
  const uid =
    typeof rawUid === 'string' && rawUid !== '' && rawUid.length <= MAX_UID_LENGTH ? rawUid : undefined;
  const apiVersion = typeof body['apiVersion'] === 'string' ? body['apiVersion'] : undefined;
  const answerVersion = apiVersion && VERSIONS.has(apiVersion) ? apiVersion : ADMISSION_V1;
  if (!apiVersion || !VERSIONS.has(apiVersion))
    return fail(`apiVersion must be ${ADMISSION_V1} or ${ADMISSION_V1BETA1}`, uid, answerVersion);
  if (body['kind'] !== 'AdmissionReview') return fail('kind must be AdmissionReview', uid, answerVersion);
  if (!request) return fail('request is missing', undefined, answerVersion);
  if (!uid) return fail('request.uid is missing or not a uid', undefined, answerVersion);
  return { ok: true, review: { apiVersion, uid, request } };
}

export interface AdmissionReviewResponse {
  apiVersion: string;
  kind: 'AdmissionReview';
  response: {
    uid: string;
    allowed: boolean;
    patchType?: 'JSONPatch';
    patch?: string;
    warnings?: string[];
    status?: { status: 'Failure'; code: number; reason: string; message: string };
  };
}

export function allowed(
  apiVersion: string,
  uid: string,
  patch: AddOperation[] = [],
  warnings: string[] = [],
): AdmissionReviewResponse {
  const response: AdmissionReviewResponse['response'] = { uid, allowed: true };
  if (patch.length > 0) {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(patch)).toString('base64');
  }
  if (warnings.length > 0) response.warnings = warnings;
  return { apiVersion, kind: 'AdmissionReview', response };
}

/** A refusal kubectl prints as `admission webhook ... denied the request: <message>`. */
export function denied(apiVersion: string, uid: string, error: unknown): AdmissionReviewResponse {
  const spec = error instanceof CredlessError ? ERROR_CATALOGUE[error.code] : undefined;
  const status =
    spec?.kind === 'admission' && error instanceof CredlessError
      ? { status: 'Failure' as const, code: spec.status, reason: spec.reason, message: error.message }
      : {
          status: 'Failure' as const,
          code: 500,
          reason: 'InternalError',
          message: 'the credless webhook failed to process the pod; see its log',
        };
  return { apiVersion, kind: 'AdmissionReview', response: { uid, allowed: false, status } };
}
