/**
 * A real credless with the local platforms plugged in, and what the ARM tests call it with: inject on
 * the ARM host (every answer must carry `x-ms-request-id`), the administrator's ARM token, workload
 * tokens, Azure RBAC assignments in the store, resource ids, and az's way of polling an operation.
 * Two resource groups exist: rg-aks and rg-other.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ArmAnswer,
  adminArmToken,
  armInject,
  clientCredentialsForm,
  createWorkloadScenario,
  MANAGEMENT_SCOPE,
  requestToken,
  startTestStack,
  storeRoleAssignment,
  type TestStack,
} from '@credless/testkit';
import { LocalPlatforms } from '../../src/index.ts';

export { ARM_HOST as ARM, type ArmAnswer } from '@credless/testkit';
export const AKS = 'api-version=2022-11-01';
export const ACR = 'api-version=2022-02-01-preview';
export const GROUPS = 'api-version=2021-04-01';
const ROLES = {
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  Reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
} as const;

/** The members az 2.45 sends for `az aks create -g … -n … --enable-oidc-issuer --no-ssh-key` (trimmed). */
export const createBody = (overrides: Record<string, unknown> = {}) => ({
  location: 'westeurope',
  identity: { type: 'SystemAssigned' },
  properties: {
    kubernetesVersion: '',
    dnsPrefix: 'dev-aks-rg-aks-0000',
    agentPoolProfiles: [
      {
        count: 3,
        vmSize: 'Standard_DS2_v2',
        osType: 'Linux',
        type: 'VirtualMachineScaleSets',
        mode: 'System',
        name: 'nodepool1',
      },
    ],
    enableRBAC: true,
    networkProfile: { networkPlugin: 'kubenet', loadBalancerSku: 'standard' },
    oidcIssuerProfile: { enabled: true },
    securityProfile: { workloadIdentity: { enabled: true } },
    ...overrides,
  },
});

export interface ArmFixture {
  stack: TestStack;
  tid: string;
  /** `/subscriptions/<tenant id>` */
  sub: string;
  /** The local administrator's ARM token (may do everything). */
  admin: string;
  arm(method: string, url: string, token: string | null, body?: unknown): Promise<ArmAnswer>;
  cluster(group: string, name: string, rest?: string): string;
  registry(group: string, name: string, rest?: string): string;
  /** Polls an Azure-AsyncOperation URL as az does; the statuses seen, in order, without repeats. */
  pollOperation(url: string, token?: string): Promise<{ seen: string[]; last: ArmAnswer['body'] }>;
  /** A new workload app's ARM token (federated) and its service principal's id. */
  workload(): Promise<{ token: string; oid: string }>;
  assign(principalId: string, role: keyof typeof ROLES, scope: string): Promise<unknown>;
  close(): Promise<void>;
}

export async function startArmFixture(): Promise<ArmFixture> {
  const stack = await startTestStack({
    issuer: { kidStyle: 'kubernetes' },
    credless: { plugins: [new LocalPlatforms()] },
  });
  const tid = stack.credless.tenantId;
  const sub = `/subscriptions/${tid}`;
  const arm: ArmFixture['arm'] = (method, url, token, body) =>
    armInject(stack.credless, method, url, token, body);
  const admin = await adminArmToken(stack.credless, stack.client);
  for (const group of ['rg-aks', 'rg-other']) {
    const made = await arm('PUT', `${sub}/resourcegroups/${group}?${GROUPS}`, admin, {
      location: 'westeurope',
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
  }
  return {
    stack,
    tid,
    sub,
    admin,
    arm,
    cluster: (group, name, rest = '') =>
      `${sub}/resourceGroups/${group}/providers/Microsoft.ContainerService/managedClusters/${name}${rest}`,
    registry: (group, name, rest = '') =>
      `${sub}/resourceGroups/${group}/providers/Microsoft.ContainerRegistry/registries/${name}${rest}`,
    async pollOperation(url, token = admin) {
      const seen: string[] = [];
      const path = new URL(url);
      for (let attempt = 0; attempt < 200; attempt++) {
        const polled = await arm('GET', `${path.pathname}${path.search}`, token);
        assert.equal(polled.status, 200, JSON.stringify(polled.body));
        if (seen.at(-1) !== polled.body.status) seen.push(polled.body.status);
        if (polled.body.status !== 'InProgress') return { seen, last: polled.body };
        await sleep(50);
      }
      throw new Error(`the operation never ended: ${seen.join(' → ')}`);
    },
    async workload() {
      const subject = `system:serviceaccount:arm:${randomUUID()}`;
      const scenario = await createWorkloadScenario(stack.credless, { issuer: stack.issuer.issuer, subject });
      const federated = await stack.issuer.issueToken({ sub: subject, aud: 'api://AzureADTokenExchange' });
      const issued = await requestToken(
        { url: stack.credless.url, tenantId: tid },
        clientCredentialsForm({ clientId: scenario.appId, assertion: federated, scope: MANAGEMENT_SCOPE }),
        { dispatcher: stack.client },
      );
      assert.equal(issued.status, 200, JSON.stringify(issued.body));
      return { token: issued.body['access_token'] as string, oid: scenario.servicePrincipalId };
    },
    assign: (principalId, role, scope) =>
      storeRoleAssignment(stack.credless, { name: role, guid: ROLES[role] }, principalId, scope),
    close: () => stack.close(),
  };
}
