/**
 * A real credless (GraphFixture) seen through its Resource Manager: the local administrator's ARM
 * token, requests by inject under the ARM host (every answer must carry an x-ms-request-id), workloads
 * with ARM tokens, and role assignments written straight to the store (the arrangement of a test).
 */
import {
  type ArmAnswer,
  adminArmToken,
  armInject,
  MANAGEMENT_SCOPE,
  storeRoleAssignment,
} from '@credless/testkit';
import { type GraphFixture, startGraphFixture } from '../graph/graph-fixture.ts';

export { ARM_HOST, type ArmAnswer, MANAGEMENT_SCOPE } from '@credless/testkit';
export const BUILT_IN_ROLES = {
  Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  Reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  'User Access Administrator': '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
  AcrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
  'Azure Kubernetes Service RBAC Cluster Admin': 'b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b',
} as const;
export type BuiltInRoleName = keyof typeof BUILT_IN_ROLES;

export interface ArmFixture {
  f: GraphFixture;
  tid: string;
  /** `/subscriptions/<tenant id>` */
  sub: string;
  /** The local administrator's ARM token. */
  admin: string;
  arm(method: string, url: string, token: string | null, body?: unknown): Promise<ArmAnswer>;
  /** A new workload (service principal) with an ARM token. */
  workload(): Promise<{ token: string; oid: string }>;
  /** Writes a role assignment to the store directly. */
  assign(principalId: string, role: BuiltInRoleName, scope: string, type?: string): Promise<unknown>;
  /** The ARM id of a role definition (by guid) in the tenant's subscription. */
  definitionId(guid: string): string;
  /** `<scope>/providers/Microsoft.Authorization/roleAssignments[/<name>]` */
  assignmentsAt(scope: string, name?: string): string;
  /** A role assignment PUT body. */
  assignmentBody(role: string, principalId: string, extra?: Record<string, unknown>): unknown;
  /** The store's assignments of a principal as `<role>@<scope>`: what the API really wrote. */
  stored(principalId: string): Promise<string[]>;
  close(): Promise<void>;
}

const oidOf = (token: string): string =>
  JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8')).oid;

export async function startArmFixture(): Promise<ArmFixture> {
  const f = await startGraphFixture();
  const tid = f.credless.tenantId;
  const sub = `/subscriptions/${tid}`;
  const admin = await adminArmToken(f.credless, f.agent);
  const arm: ArmFixture['arm'] = (method, url, token, body) =>
    armInject(f.credless, method, url, token, body);

  const definitionId = (guid: string) => `${sub}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
  return {
    f,
    tid,
    sub,
    admin,
    arm,
    async workload() {
      const token = await f.workloadToken([], { scope: MANAGEMENT_SCOPE });
      return { token, oid: oidOf(token) };
    },
    assign: (principalId, role, scope, type) =>
      storeRoleAssignment(f.credless, { name: role, guid: BUILT_IN_ROLES[role] }, principalId, scope, type),
    definitionId,
    assignmentsAt: (scope, name) =>
      `${scope}/providers/Microsoft.Authorization/roleAssignments${name === undefined ? '' : `/${name}`}`,
    assignmentBody: (role, principalId, extra = {}) => ({
      properties: { roleDefinitionId: definitionId(role), principalId, ...extra },
    }),
    stored: async (principalId) =>
      (await f.credless.store.listRoleAssignments(tid, { principalIds: [principalId] })).map(
        (record) => `${record.roleDefinitionName}@${record.scope}`,
      ),
    close: () => f.close(),
  };
}
