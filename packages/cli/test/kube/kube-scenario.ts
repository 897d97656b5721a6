/**
 * The scenario the exec-plugin tests share: a real credless over HTTPS, a kube-style OIDC issuer, a
 * workload application federated with the issuer's service-account subject, and the cluster's server
 * application (the `--server-id` resource) — plus a verifier of credless access tokens for it.
 */
import {
  addFederatedCredential,
  createWorkloadScenario,
  servicePrincipalOf,
  startTestStack,
  type TestCredless,
  type TestOidcIssuer,
} from '@credless/testkit';
import { createRemoteJWKSet, customFetch, type JWTPayload, jwtVerify } from 'jose';
import { fetch as undiciFetch } from 'undici';

export const SUBJECT = 'system:serviceaccount:ci:deployer';
export const GITHUB_SUBJECT = 'repo:contoso/infra:environment:prod';

export interface KubeScenario {
  issuer: TestOidcIssuer;
  credless: TestCredless;
  clientId: string;
  /** appId of the cluster's server application. */
  serverId: string;
  /** fetch that trusts credless's local CA (what NODE_EXTRA_CA_CERTS does for a child process). */
  fetch: typeof fetch;
  /** Verifies a credless access token for the server app with credless's published JWKS. */
  verify(token: string): Promise<JWTPayload>;
  close(): Promise<void>;
}

export async function startKubeScenario(): Promise<KubeScenario> {
  const stack = await startTestStack({ issuer: { kidStyle: 'kubernetes' } });
  const { issuer, credless, client: agent } = stack;
  const trustingFetch = ((url: string, init?: RequestInit) =>
    undiciFetch(url, { ...(init as object), dispatcher: agent })) as unknown as typeof fetch;

  const workload = await createWorkloadScenario(credless, { issuer: issuer.issuer, subject: SUBJECT });
  const ctx = { store: credless.store, tenantId: credless.tenantId };
  await addFederatedCredential(ctx, workload.appId, {
    name: 'github-prod',
    issuer: issuer.issuer,
    subject: GITHUB_SUBJECT,
    audiences: ['api://AzureADTokenExchange'],
  });
  const server = await credless.store.createApplication(credless.tenantId, { displayName: 'kube-apiserver' });
  await servicePrincipalOf(ctx, server.appId);

  const jwks = createRemoteJWKSet(new URL(`${credless.url}/${credless.tenantId}/discovery/v2.0/keys`), {
    [customFetch]: trustingFetch,
  });
  return {
    issuer,
    credless,
    clientId: workload.appId,
    serverId: server.appId,
    fetch: trustingFetch,
    async verify(token) {
      // v1 or v2 issuer, as the server app's accessTokenAcceptedVersion decides.
      const tenantBase = `${credless.url}/${credless.tenantId}`;
      const { payload } = await jwtVerify(token, jwks, {
        audience: server.appId,
        issuer: [`${tenantBase}/`, `${tenantBase}/v2.0`],
      });
      return payload;
    },
    close: () => stack.close(),
  };
}
