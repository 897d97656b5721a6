/**
 * Registries as resources of the directory (mirrors `az acr`): a registry is an application whose
 * identifier URI is its login server `https://<name>.azurecr.io`, with the real AcrPull app role id,
 * and a service principal that requires an assignment (so the token service refuses unattached
 * clients). Images live as plain directories under `<data>/registries/<registry>/images/<name>/<tag>/`.
 * @module
 */
import { cp, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Application, CredlessError } from '@credless/core';
import type { DirectoryStore } from '@credless/server';

/** The built-in AcrPull role definition id in Azure: the app role carries the same id. */
export const ACR_PULL_ROLE_ID = '7f951dda-4ed3-4680-a7ca-43fe172d538d';
export const ACR_PULL_ROLE = 'AcrPull';
const REGISTRY_NAME = /^[a-z0-9]{5,50}$/;
const REPOSITORY = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export interface RegistryContext {
  store: DirectoryStore;
  tenantId: string;
}

export const loginServer = (registry: string) => `${registry}.azurecr.io`;
export const registryResource = (registry: string) => `https://${loginServer(registry)}`;

export function checkRegistryName(name: string): string {
  const lower = name.toLowerCase();
  if (!REGISTRY_NAME.test(lower))
    throw new CredlessError('registry_invalid', {
      reason: `registry name '${name}' must be 5-50 letters and digits (as in Azure Container Registry)`,
    });
  return lower;
}

export interface ImageReference {
  registry: string;
  repository: string;
  tag: string;
}

/** `name:tag` (for acr build) or `<registry>.azurecr.io/name:tag` (in a pod spec); tag defaults to latest. */
export function parseImage(image: string, registry?: string): ImageReference {
  let rest = image;
  let reg = registry;
  if (reg === undefined) {
    const slash = image.indexOf('/');
    const host = slash > 0 ? image.slice(0, slash).toLowerCase() : '';
    if (!host.endsWith('.azurecr.io'))
      throw new CredlessError('registry_invalid', {
        reason: `image '${image}' is not in a credless registry: use <registry>.azurecr.io/<name>:<tag>`,
      });
    reg = host.slice(0, -'.azurecr.io'.length);
    rest = image.slice(slash + 1);
  }
  const colon = rest.lastIndexOf(':');
  const repository = colon > 0 ? rest.slice(0, colon) : rest;
  const tag = colon > 0 ? rest.slice(colon + 1) : 'latest';
  if (!REPOSITORY.test(repository) || !TAG.test(tag))
    throw new CredlessError('registry_invalid', {
      reason: `image '${image}' is not a valid <name>:<tag> (lowercase name, tag of letters, digits, . _ -)`,
    });
  return { registry: checkRegistryName(reg), repository, tag };
}

export const imageName = (ref: ImageReference) => `${loginServer(ref.registry)}/${ref.repository}:${ref.tag}`;
export const imageDirectory = (dataDir: string, ref: ImageReference) =>
  join(dataDir, 'registries', ref.registry, 'images', ...ref.repository.split('/'), ref.tag);

/**
 * Node.js takes a module's type (`"type": "module"`) from the nearest package.json above it. Images
 * live under the data directory, often inside a project whose own package.json would then decide for
 * an image without one (a CommonJS server.js crash-looping). A package.json with no "type" just above
 * every image ends that search there: the image's own package.json decides, or none does, as in a
 * container built from the same directory.
 */
export async function ensureImageScope(dataDir: string): Promise<void> {
  const file = join(dataDir, 'registries', 'package.json');
  if (await stat(file).catch(() => undefined)) return;
  await mkdir(join(dataDir, 'registries'), { recursive: true });
  const text = `${JSON.stringify({ description: 'Ends the package.json search of credless images: see credless acr build.', private: true }, null, 2)}\n`;
  await writeFile(file, text, { flag: 'w' });
}

export async function findRegistry(ctx: RegistryContext, registry: string): Promise<Application | undefined> {
  return ctx.store.findApplicationByIdentifier(ctx.tenantId, registryResource(checkRegistryName(registry)));
}

async function requireRegistry(ctx: RegistryContext, registry: string): Promise<Application> {
  const found = await findRegistry(ctx, registry);
  if (!found) throw new CredlessError('registry_not_found', { registry });
  return found;
}

export function registryView(app: Application) {
  const uri = app.identifierUris[0] ?? '';
  const server = uri.replace(/^https:\/\//, '');
  return {
    name: server.replace(/\.azurecr\.io$/, ''),
    loginServer: server,
    type: 'Microsoft.ContainerRegistry/registries',
    appId: app.appId,
    provisioningState: 'Succeeded',
  };
}

/** `acr create`: idempotent — the same name again returns the existing registry. */
export async function createRegistry(ctx: RegistryContext, name: string) {
  const registry = checkRegistryName(name);
  let app = await findRegistry(ctx, registry);
  if (!app) {
    app = await ctx.store.createApplication(ctx.tenantId, {
      displayName: registry,
      identifierUris: [registryResource(registry)],
      appRoles: [
        {
          id: ACR_PULL_ROLE_ID,
          value: ACR_PULL_ROLE,
          displayName: 'AcrPull',
          description: 'Pull images from the registry',
          allowedMemberTypes: ['Application'],
          isEnabled: true,
          origin: 'Application',
        },
      ],
    });
  }
  if (!(await ctx.store.getServicePrincipalByAppId(ctx.tenantId, app.appId)))
    await ctx.store.createServicePrincipal(ctx.tenantId, {
      appId: app.appId,
      appRoleAssignmentRequired: true,
    });
  return registryView(app);
}

export interface BuildImageOptions {
  registry: string;
  image: string;
  /** The image content: a directory holding the app (and credless-image.json or a package.json start script). */
  source: string;
}

/** `acr build`: copies the directory as the image content, replacing an earlier build of the same tag. */
export async function buildImage(ctx: RegistryContext & { dataDir: string }, options: BuildImageOptions) {
  await requireRegistry(ctx, options.registry);
  const ref = parseImage(options.image, options.registry);
  const source = resolve(options.source);
  const info = await stat(source).catch(() => undefined);
  if (!info?.isDirectory())
    throw new CredlessError('registry_invalid', {
      reason: `build context '${options.source}' is not a directory`,
    });
  const target = imageDirectory(ctx.dataDir, ref);
  const staging = `${target}.building-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(target, '..'), { recursive: true });
  await ensureImageScope(ctx.dataDir);
  // Copy then swap, so a pod starting meanwhile sees the old or the new image, never half of one.
  await cp(source, staging, { recursive: true, filter: (path) => !path.split(/[\\/]/).includes('.git') });
  await rm(target, { recursive: true, force: true });
  await rename(staging, target);
  return { image: imageName(ref), directory: target };
}
