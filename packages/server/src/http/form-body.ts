/**
 * Form-body parsing for the token endpoint: `application/x-www-form-urlencoded` only, every parameter
 * at most once. Returns a verdict instead of throwing so the route answers in Entra's error shape.
 * @module
 */
import { CredlessError } from '@credless/core';

export type ParsedForm = { ok: true; params: Map<string, string> } | { ok: false; error: CredlessError };

export function isFormContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const mediaType = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return mediaType === 'application/x-www-form-urlencoded';
}

export function parseFormBody(contentType: string | undefined, body: string): ParsedForm {
  if (!isFormContentType(contentType)) {
    return {
      ok: false,
      error: new CredlessError('malformed_request', {
        reason: `the body must be application/x-www-form-urlencoded (got ${contentType ? `'${contentType.slice(0, 80)}'` : 'no content type'})`,
      }),
    };
  }
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(body)) {
    if (params.has(name)) {
      return {
        ok: false,
        error: new CredlessError('malformed_request', {
          reason: `the parameter '${name.slice(0, 64)}' is repeated`,
        }),
      };
    }
    params.set(name, value);
  }
  return { ok: true, params };
}
