/**
 * The cluster's own identity for pulling images (AKS's kubelet identity `<cluster>-agentpool`): an
 * application that signs in with a federated credential trusting the cluster's own issuer for
 * `system:serviceaccount:kube-system:kubelet`. `cluster update --attach-acr` creates it when absent and
 * assigns it AcrPull on the registry — an app role assignment, which the token service checks.
 * @module
 */
import { type Application, CredlessError } from '@credless/core';
import type { ClusterRecord } from '@credless/server';
import {
  ACR_PULL_ROLE_ID,
  checkRegistryName,
  findRegistry,
  loginServer,
  type RegistryContext,
} from './registry.ts';

export const KUBELET_NAMESPACE = 'kube-system';
export const KUBELET_SERVICE_ACCOUNT = 'kubelet';
export const KUBELET_SUBJECT = `system:serviceaccount:${KUBELET_NAMESPACE}:${KUBELET_SERVICE_ACCOUNT}`;
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';
const CREDENTIAL_NAME = 'kubelet';

/** Marks the kubelet identity's application: one per cluster issuer, so a re-created cluster gets a new one. */
export const kubeletIdentifierUri = (cluster: Pick<ClusterRecord, 'issuerGuid'>) =>
  `api://credless/clusters/${cluster.issuerGuid}/kubelet`;

export function findKubeletIdentity(
  ctx: RegistryContext,
  cluster: ClusterRecord,
): Promise<Application | undefined> {
  return ctx.store.findApplicationByIdentifier(ctx.tenantId, kubeletIdentifierUri(cluster));
}

/** The kubelet identity (application, principal, federated credential), created when absent. */
export async function ensureKubeletIdentity(
  ctx: RegistryContext,
  cluster: ClusterRecord,
): Promise<{ app: Application; principalId: string }> {
  const app =
    (await findKubeletIdentity(ctx, cluster)) ??
    (await ctx.store.createApplication(ctx.tenantId, {
      displayName: `${cluster.name}-agentpool`,
      identifierUris: [kubeletIdentifierUri(cluster)],
    }));
  const principal =
    (await ctx.store.getServicePrincipalByAppId(ctx.tenantId, app.appId)) ??
    (await ctx.store.createServicePrincipal(ctx.tenantId, { appId: app.appId }));
  const credentials = await ctx.store.listFederatedIdentityCredentials(ctx.tenantId, app.id);
  if (!credentials.some((c) => c.name === CREDENTIAL_NAME))
    await ctx.store.createFederatedIdentityCredential(ctx.tenantId, app.id, {
      name: CREDENTIAL_NAME,
      issuer: cluster.issuerUrl,
      subject: KUBELET_SUBJECT,
      audiences: [TOKEN_EXCHANGE_AUDIENCE],
      description: `kubelet identity of local cluster ${cluster.resourceGroup}/${cluster.name} (image pulls)`,
    });
  return { app, principalId: principal.id };
}

/** The registry's service principal (what pulls are assigned on), or registry_not_found. */
async function registryPrincipalOf(ctx: RegistryContext, name: string) {
  const registryApp = await findRegistry(ctx, name);
  const principal =
    registryApp && (await ctx.store.getServicePrincipalByAppId(ctx.tenantId, registryApp.appId));
  if (!principal) throw new CredlessError('registry_not_found', { registry: name });
  return principal;
}

/**
 * Lets a service principal pull from a registry (its AcrPull app-role assignment), or stops it; idempotent.
 * An Azure RBAC AcrPull assignment on the registry and `--attach-acr` both end here.
 */
export async function setRegistryPull(
  ctx: RegistryContext,
  registry: string,
  principalId: string,
  granted: boolean,
): Promise<void> {
  const registryPrincipal = await registryPrincipalOf(ctx, checkRegistryName(registry));
  const assignments = (await ctx.store.listAppRoleAssignmentsByPrincipal(ctx.tenantId, principalId)).filter(
    (a) => a.resourceId === registryPrincipal.id && a.appRoleId === ACR_PULL_ROLE_ID,
  );
  if (granted && assignments.length === 0)
    await ctx.store.createAppRoleAssignment(ctx.tenantId, {
      principalId,
      resourceId: registryPrincipal.id,
      appRoleId: ACR_PULL_ROLE_ID,
    });
  if (!granted) for (const a of assignments) await ctx.store.deleteAppRoleAssignment(ctx.tenantId, a.id);
}

/** `cluster update --attach-acr`: idempotent; returns what the cluster can now pull from. */
export async function attachRegistry(ctx: RegistryContext, cluster: ClusterRecord, registry: string) {
  const name = checkRegistryName(registry);
  await registryPrincipalOf(ctx, name);
  const { app, principalId } = await ensureKubeletIdentity(ctx, cluster);
  await setRegistryPull(ctx, name, principalId, true);
  return {
    cluster: cluster.id,
    identityProfile: { kubeletidentity: { clientId: app.appId, objectId: principalId, resourceId: app.id } },
    attachedRegistry: loginServer(name),
    role: 'AcrPull',
  };
}

/** `cluster update --detach-acr`: removes the AcrPull assignment (the identity stays). */
export async function detachRegistry(ctx: RegistryContext, cluster: ClusterRecord, registry: string) {
  const name = checkRegistryName(registry);
  const registryApp = await findRegistry(ctx, name);
  if (!registryApp) throw new CredlessError('registry_not_found', { registry: name });
  const registryPrincipal = await ctx.store.getServicePrincipalByAppId(ctx.tenantId, registryApp.appId);
  const kubelet = await findKubeletIdentity(ctx, cluster);
  const principal = kubelet && (await ctx.store.getServicePrincipalByAppId(ctx.tenantId, kubelet.appId));
  if (!principal || !registryPrincipal) return { cluster: cluster.id, detachedRegistry: loginServer(name) };
  for (const a of await ctx.store.listAppRoleAssignmentsByPrincipal(ctx.tenantId, principal.id))
    if (a.resourceId === registryPrincipal.id) await ctx.store.deleteAppRoleAssignment(ctx.tenantId, a.id);
  return { cluster: cluster.id, detachedRegistry: loginServer(name) };
}
