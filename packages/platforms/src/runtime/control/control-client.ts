/**
 * The CLI's side of the control channel (control-server.ts): one JSON request over the Unix socket.
 * @module
 */
import { request } from 'node:http';
import { join } from 'node:path';
import { CredlessError, type ErrorCode } from '@credless/core';
import type { ControlRequest } from './control-server.ts';

export const runtimeSocketPath = (dataDir: string) => join(dataDir, 'runtime.sock');

/** A CredlessError rebuilt from the runtime's answer keeps its code and exact message. */
class RemoteError extends CredlessError {
  constructor(code: ErrorCode, message: string) {
    super(code, {});
    this.message = message;
  }
}

export function callRuntime<T>(socketPath: string, body: ControlRequest): Promise<T> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        path: '/',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            reject(new Error(`the runtime answered HTTP ${res.statusCode} without JSON`));
            return;
          }
          if (res.statusCode === 200) resolve(parsed as T);
          else {
            const error = (parsed as { error?: { code?: string; message?: string } }).error;
            reject(
              error?.code && error.code !== 'internal'
                ? new RemoteError(error.code as ErrorCode, error.message ?? error.code)
                : new Error(error?.message ?? `runtime error HTTP ${res.statusCode}`),
            );
          }
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT' || error.code === 'ECONNREFUSED'
          ? new CredlessError('runtime_not_running', { reason: `no runtime at ${socketPath}` })
          : error,
      );
    });
    req.end(payload);
  });
}
