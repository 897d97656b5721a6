/**
 * One JSON request over HTTPS with node:https, trusting the system roots plus an optional extra CA
 * (the local credless CA), so the CLI needs no NODE_EXTRA_CA_CERTS and no extra dependency.
 * @module
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { caTrustHint, isCertificateVerificationError } from '@credless/core';

const TIMEOUT_MS = 30_000;
/** Larger answers are refused: the CLI talks to one API whose answers are small. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Raw body text. */
  text: string;
}

export interface HttpOptions {
  headers?: Record<string, string>;
  body?: string;
  /** PEM of an extra CA to trust (in addition to the system roots). */
  caPem?: string;
}

export class HttpRequestError extends Error {
  override readonly name = 'HttpRequestError';
}

export function sendRequest(method: string, url: string, options: HttpOptions = {}): Promise<HttpAnswer> {
  const target = new URL(url);
  const send = target.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: method.toUpperCase(),
        headers: {
          accept: 'application/json',
          ...options.headers,
          ...(options.body !== undefined
            ? { 'content-length': String(Buffer.byteLength(options.body)) }
            : {}),
        },
        timeout: TIMEOUT_MS,
        // A Host header naming another service (Resource Manager's): TLS still names the server dialled.
        ...(options.headers?.['host'] && target.protocol === 'https:' ? { servername: target.hostname } : {}),
        ...(options.caPem && target.protocol === 'https:'
          ? { ca: [...rootCertificates, options.caPem] }
          : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) {
            req.destroy(
              new HttpRequestError(`${target.origin} answered with more than ${MAX_BODY_BYTES} bytes`),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(new HttpRequestError(`${target.origin} did not answer in ${TIMEOUT_MS / 1000} s`)),
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error instanceof HttpRequestError) return reject(error);
      const hint =
        error.code === 'ECONNREFUSED'
          ? ' (is credless running? start it with credless up)'
          : isCertificateVerificationError(error)
            ? ` (the server certificate is not trusted: pass --ca-file, or ${caTrustHint()})`
            : '';
      reject(new HttpRequestError(`cannot reach ${target.origin}: ${error.code ?? error.message}${hint}`));
    });
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** Parses a JSON body; undefined for an empty one. */
export function parseJsonBody(answer: HttpAnswer): unknown {
  if (answer.text.trim() === '') return undefined;
  try {
    return JSON.parse(answer.text);
  } catch {
    return answer.text;
  }
}
