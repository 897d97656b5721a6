/**
 * `credless cluster create|show|list|delete`: local clusters as AKS-like records (mirrors `az aks`),
 * each with its own service-account OIDC issuer served by credless at
 * `<base>/oidc/<tenant>/<guid>/`. Results are shaped like `az aks show`, so
 * `--query oidcIssuerProfile.issuerUrl -o tsv` and `--query id -o tsv` work as in the seed.
 * @module
 */
import { CredlessError } from '@credless/core';
import { type ClusterView, clusterView, createLocalCluster } from '@credless/platforms';
import type { DirectoryContext } from '../../context.ts';

export interface ClusterNames {
  name: string;
  resourceGroup: string;
}

export interface CreateClusterOptions extends ClusterNames {
  /** Accepted as az does; local clusters always have an issuer. */
  enableOidcIssuer?: boolean;
  enableWorkloadIdentity?: boolean;
}

/** What creating a cluster needs beyond the directory: the KEK (issuer key at rest) and the server URL. */
export interface ClusterCreateContext extends DirectoryContext {
  kek: Uint8Array;
  baseUrl: string;
}

/** Creates the cluster, or returns the existing one of that resource group and name (idempotent). */
export async function createCluster(
  ctx: ClusterCreateContext,
  options: CreateClusterOptions,
): Promise<ClusterView> {
  const { cluster } = await createLocalCluster(
    { store: ctx.store, kek: ctx.kek },
    {
      tenantId: ctx.tenantId,
      baseUrl: ctx.baseUrl,
      resourceGroup: options.resourceGroup,
      name: options.name,
      ...(options.enableOidcIssuer !== undefined ? { enableOidcIssuer: options.enableOidcIssuer } : {}),
      ...(options.enableWorkloadIdentity !== undefined
        ? { enableWorkloadIdentity: options.enableWorkloadIdentity }
        : {}),
    },
  );
  return clusterView(cluster);
}

export async function showCluster(ctx: DirectoryContext, options: ClusterNames): Promise<ClusterView> {
  const cluster = await ctx.store.getCluster(ctx.tenantId, options.resourceGroup, options.name);
  if (!cluster) throw new CredlessError('not_found', { id: `${options.resourceGroup}/${options.name}` });
  return clusterView(cluster);
}

export async function listClusters(
  ctx: DirectoryContext,
  options: { resourceGroup?: string } = {},
): Promise<ClusterView[]> {
  return (await ctx.store.listClusters(ctx.tenantId, options.resourceGroup)).map(clusterView);
}

/** Deletes the cluster record and its issuer key: tokens it signed stop verifying at once. */
export async function deleteCluster(ctx: DirectoryContext, options: ClusterNames): Promise<void> {
  await ctx.store.deleteCluster(ctx.tenantId, options.resourceGroup, options.name);
}
