/**
 * The CLI's Resource Manager client (what `role assignment …` sends, as az does): requests under the
 * ARM host `management.azure.com` over the Graph client's transport — in-process for a data directory,
 * HTTPS to the session's credless otherwise — with an ARM token of the same caller. ARM's error body
 * `{"error":{"code","message"}}` becomes a CommandError exiting by its status.
 * @module
 */
import { exitCodeForStatus } from '@credless/core';
import { CommandError, EXIT } from '../exit-codes.ts';
import { type HttpAnswer, parseJsonBody } from './https-json.ts';

export const ARM_HOST = 'management.azure.com';
/** Resource Manager's scope, as az asks for it. */
export const MANAGEMENT_SCOPE = 'https://management.core.windows.net//.default';

export interface ArmAnswer<T> {
  status: number;
  body: T;
  headers?: HttpAnswer['headers'];
}

export interface ManagementApi {
  /** The caller's subscription (credless's: its tenant's id). */
  readonly subscriptionId: string;
  /** `path` from the ARM root, query included; parsed JSON for 2xx, otherwise a CommandError. */
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<ArmAnswer<T>>;
  /** The same, but the error answer is returned (the caller handles e.g. 409 RoleAssignmentExists). */
  send(method: string, path: string, body?: unknown): Promise<ArmAnswer<unknown>>;
}

/** ARM's error answer as a CommandError: its message and code, exiting as the status says. */
export function armError(answer: ArmAnswer<unknown>, what: string): CommandError {
  const error = (answer.body as { error?: { code?: string; message?: string } } | undefined)?.error;
  const message = error?.message ?? `HTTP ${answer.status}`;
  return new CommandError(
    `${what}: ${message}${error?.code ? ` (${error.code})` : ''}`,
    exitCodeForStatus(answer.status),
  );
}

/** The client over a transport sending `method path` to the ARM host with the caller's ARM token. */
export function managementApiOver(
  subscriptionId: string,
  transport: (method: string, path: string, body: string | undefined) => Promise<HttpAnswer>,
): ManagementApi {
  const send = async (method: string, path: string, body?: unknown) => {
    const answer = await transport(method, path, body === undefined ? undefined : JSON.stringify(body));
    return { status: answer.status, body: parseJsonBody(answer), headers: answer.headers };
  };
  return {
    subscriptionId,
    send,
    async call<T>(method: string, path: string, body?: unknown) {
      const answer = await send(method, path, body);
      if (answer.status < 200 || answer.status >= 300) {
        throw armError(answer, `${method.toUpperCase()} ${path.split('?')[0]}`);
      }
      return answer as ArmAnswer<T>;
    },
  };
}

const header = (answer: ArmAnswer<unknown>, name: string) => {
  const value = answer.headers?.[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Follows a long-running operation as az does: polls its `Azure-AsyncOperation` (every Retry-After
 * seconds) until Succeeded; Failed or a poll error becomes a CommandError. No header: already done.
 */
export async function waitForOperation(
  arm: ManagementApi,
  answer: ArmAnswer<unknown>,
  what: string,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<void> {
  const url = header(answer, 'azure-asyncoperation');
  if (url === undefined) return;
  const target = new URL(url);
  for (;;) {
    const poll = await arm.call<{ status?: string; error?: { code?: string; message?: string } }>(
      'GET',
      `${target.pathname}${target.search}`,
    );
    const status = poll.body.status;
    if (status === 'Succeeded') return;
    if (status === 'Failed' || status === 'Canceled') {
      const message = poll.body.error?.message ?? status;
      throw new CommandError(`${what}: ${message}`, EXIT.failure);
    }
    const retryAfter = Number(header(poll, 'retry-after') ?? 1);
    await sleep(Math.min(Math.max(Number.isFinite(retryAfter) ? retryAfter : 1, 1), 10) * 1000);
  }
}
