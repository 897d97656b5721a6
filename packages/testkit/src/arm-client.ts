/**
 * For tests: credless's Resource Manager as az reaches it, by inject on the ARM host (every answer must
 * carry ARM's `x-ms-request-id`), with the local administrator's ARM token and role assignments written
 * straight to the store (the arrangement of a test).
 * @module
 */
import assert from 'node:assert/strict';
import { createAdminAssertion, readAdminIdentity } from '@credless/server';
import type { Dispatcher } from 'undici';
import type { TestCredless } from './credless-harness.ts';
import { clientCredentialsForm, requestToken } from './token-request.ts';

export const ARM_HOST = 'management.azure.com';
export const MANAGEMENT_SCOPE = 'https://management.core.windows.net//.default';

export interface ArmAnswer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: ARM's JSON, read field by field by the assertions
  body: any;
}

/** A request on the ARM host by inject (`token` null: none); a string body is sent as it is. */
export async function armInject(
  credless: Pick<TestCredless, 'app'>,
  method: string,
  url: string,
  token: string | null,
  body?: unknown,
): Promise<ArmAnswer> {
  const payload = typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body);
  const response = await credless.app.inject({
    method: method as 'GET',
    url,
    headers: {
      host: ARM_HOST,
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(payload === undefined ? {} : { payload }),
  });
  assert.match(String(response.headers['x-ms-request-id']), /^[0-9a-f-]{36}$/, `${method} ${url}`);
  return {
    status: response.statusCode,
    headers: response.headers,
    body: response.body === '' ? undefined : JSON.parse(response.body),
  };
}

/** The local administrator's ARM token, as `az login` with its certificate gets it. */
export async function adminArmToken(credless: TestCredless, dispatcher: Dispatcher): Promise<string> {
  const identity = await readAdminIdentity(credless.dataDir);
  assert.ok(identity, `no administrator identity in ${credless.dataDir}`);
  const endpoint = `${credless.url}/${identity.tenantId}/oauth2/v2.0/token`;
  const assertion = await createAdminAssertion(identity, endpoint, Date.now());
  const answer = await requestToken(
    { url: credless.url, tenantId: identity.tenantId },
    clientCredentialsForm({ clientId: identity.clientId, assertion, scope: MANAGEMENT_SCOPE }),
    { dispatcher },
  );
  const token = answer.body['access_token'];
  assert.equal(typeof token, 'string', JSON.stringify(answer.body));
  return token as string;
}

/** Writes a role assignment of a built-in role (by name and guid) to the store directly. */
export function storeRoleAssignment(
  credless: TestCredless,
  role: { name: string; guid: string },
  principalId: string,
  scope: string,
  principalType = 'ServicePrincipal',
): Promise<unknown> {
  const { tenantId } = credless;
  return credless.store.createRoleAssignment(tenantId, {
    scope,
    roleDefinitionId: `/subscriptions/${tenantId}/providers/Microsoft.Authorization/roleDefinitions/${role.guid}`,
    roleDefinitionGuid: role.guid,
    roleDefinitionName: role.name,
    principalId,
    principalType: principalType as 'ServicePrincipal',
  });
}
