/**
 * A running credless (real HTTPS) with its bootstrap administrator, a test OIDC issuer, and helpers to
 * call the Graph-compatible API as the administrator or as a workload holding chosen Graph roles.
 */
import { randomUUID } from 'node:crypto';
import { GRAPH_RESOURCE_URI } from '@credless/core';
import {
  type AdminGraphClient,
  clientCredentialsForm,
  createAdminGraphClient,
  createWorkloadScenario,
  requestToken,
  startTestStack,
  type TestCredless,
  type TestOidcIssuer,
} from '@credless/testkit';
import { type Agent, request } from 'undici';

export const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';

export interface GraphAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown> & {
    value?: Array<Record<string, unknown>>;
    error?: { code: string; message: string; innerError: Record<string, string> };
  };
}

export interface GraphFixture {
  credless: TestCredless;
  issuer: TestOidcIssuer;
  agent: Agent;
  admin: AdminGraphClient;
  /** Calls the API with `token` (none when undefined). */
  call(method: string, path: string, token: string | undefined, body?: unknown): Promise<GraphAnswer>;
  /** Calls the API as the bootstrap administrator. */
  asAdmin(method: string, path: string, body?: unknown): Promise<GraphAnswer>;
  /** A Graph token for a new workload app holding `roles` (federated exchange), in `tenantId`. */
  workloadToken(roles: string[], options?: { tenantId?: string; scope?: string }): Promise<string>;
  close(): Promise<void>;
}

export async function startGraphFixture(): Promise<GraphFixture> {
  const stack = await startTestStack({ issuer: { kidStyle: 'kubernetes' } });
  const { issuer, credless, client: agent } = stack;
  const admin = await createAdminGraphClient({
    url: credless.url,
    dataDir: credless.dataDir,
    dispatcher: agent,
  });

  const call = async (method: string, path: string, token: string | undefined, body?: unknown) => {
    const response = await request(`${credless.url}/v1.0${path}`, {
      method: method as 'GET',
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      dispatcher: agent,
    });
    const text = await response.body.text();
    return {
      status: response.statusCode,
      headers: response.headers,
      body: text === '' ? {} : JSON.parse(text),
    } as GraphAnswer;
  };

  const workloadToken = async (roles: string[], options: { tenantId?: string; scope?: string } = {}) => {
    const tenantId = options.tenantId ?? credless.tenantId;
    const subject = `system:serviceaccount:graph:${randomUUID()}`;
    const scenario = await createWorkloadScenario(credless, {
      displayName: `workload-${roles.join('-') || 'none'}`,
      issuer: issuer.issuer,
      subject,
      graphRoles: roles,
      tenantId,
    });
    const assertion = await issuer.issueToken({ sub: subject, aud: FEDERATION_AUDIENCE });
    const form = clientCredentialsForm({
      clientId: scenario.appId,
      assertion,
      scope: options.scope ?? `${GRAPH_RESOURCE_URI}/.default`,
    });
    const answer = await requestToken({ url: credless.url, tenantId }, form, { dispatcher: agent });
    if (answer.status !== 200) throw new Error(`token request failed: ${JSON.stringify(answer.body)}`);
    return answer.body['access_token'] as string;
  };

  return {
    credless,
    issuer,
    agent,
    admin,
    call,
    asAdmin: async (method, path, body) => call(method, path, await admin.getToken(), body),
    workloadToken,
    close: () => stack.close(),
  };
}
