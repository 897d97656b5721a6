/**
 * What the SDK tests against a real credless share: a kube-style OIDC issuer, credless over HTTPS, a
 * workload app federated with the issuer's service-account subject (Graph roles consented), a token
 * file on disk, a fetch that trusts credless's CA and records every token request, and a movable clock.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createWorkloadScenario,
  startTestStack,
  type TestCredless,
  type TestOidcIssuer,
  type WorkloadScenario,
} from '@credless/testkit';
import { createRemoteJWKSet, customFetch, type JWTPayload, jwtVerify } from 'jose';
import { fetch as undiciFetch } from 'undici';
import { WorkloadIdentityCredential, type WorkloadIdentityCredentialOptions } from '../src/index.ts';

export const SUBJECT = 'system:serviceaccount:default:workload-identity-sa';
export const AUDIENCE = 'api://AzureADTokenExchange';
export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

export interface StsFixture {
  issuer: TestOidcIssuer;
  credless: TestCredless;
  scenario: WorkloadScenario;
  tokenFile: string;
  /** Form bodies of the token requests sent through `fetch`. */
  tokenRequests: URLSearchParams[];
  fetch: typeof fetch;
  /** Milliseconds the credential's clock is ahead of real time. */
  clockOffset: number;
  writeToken(claims?: Record<string, unknown>, expiresInSeconds?: number): Promise<string>;
  credential(options?: WorkloadIdentityCredentialOptions): WorkloadIdentityCredential;
  verify(token: string): Promise<JWTPayload>;
  close(): Promise<void>;
}

export async function startStsFixture(): Promise<StsFixture> {
  const stack = await startTestStack({ issuer: { kidStyle: 'kubernetes' } });
  const { issuer, credless, client: agent } = stack;
  const scenario = await createWorkloadScenario(credless, {
    issuer: issuer.issuer,
    subject: SUBJECT,
    graphRoles: ['Organization.Read.All'],
  });
  const dir = await mkdtemp(join(tmpdir(), 'credless-sdk-'));
  const tokenRequests: URLSearchParams[] = [];
  const trusting = ((url: string, init?: RequestInit) =>
    undiciFetch(url, { ...(init as object), dispatcher: agent })) as unknown as typeof fetch;
  const recording = ((url: string, init?: RequestInit) => {
    if (String(url).endsWith('/oauth2/v2.0/token'))
      tokenRequests.push(new URLSearchParams(String(init?.body)));
    return trusting(url, init);
  }) as typeof fetch;
  const jwks = createRemoteJWKSet(new URL(`${credless.url}/${credless.tenantId}/discovery/v2.0/keys`), {
    [customFetch]: trusting,
  });
  const fixture: StsFixture = {
    issuer,
    credless,
    scenario,
    tokenFile: join(dir, 'azure-identity-token'),
    tokenRequests,
    fetch: recording,
    clockOffset: 0,
    async writeToken(claims = {}, expiresInSeconds = 3600) {
      const token = await issuer.issueToken(
        { sub: SUBJECT, aud: [AUDIENCE], ...claims },
        { expiresInSeconds },
      );
      await writeFile(fixture.tokenFile, token, { mode: 0o600 });
      return token;
    },
    credential(options = {}) {
      return new WorkloadIdentityCredential({
        env: {},
        tenantId: credless.tenantId,
        clientId: scenario.appId,
        tokenFilePath: fixture.tokenFile,
        authorityHost: credless.url,
        fetch: recording,
        now: () => Date.now() + fixture.clockOffset,
        ...options,
      });
    },
    async verify(token) {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: `${credless.url}/${credless.tenantId}/`,
        audience: 'https://graph.microsoft.com',
      });
      return payload;
    },
    async close() {
      await stack.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}
