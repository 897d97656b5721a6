/**
 * The declarative identity file (`credless plan|apply -f identity.yaml`): one zod definition that
 * validates files and generates the JSON Schema editors use for completion (schemas/identity.schema.json).
 * Applications are keyed by displayName, federated credentials by name, groups by displayName.
 * @module
 */
import {
  CredlessError,
  DEFAULT_FEDERATION_AUDIENCE,
  normalizeFederatedIdentityCredential,
} from '@credless/core';
import { z } from 'zod';

export const API_VERSION = 'credless.dev/v1';
export const SCHEMA_ID = 'https://credless.dev/schemas/identity.schema.json';

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export const isGuid = (value: string): boolean => GUID.test(value);

const text = (max: number) => z.string().min(1).max(max);

const claimsMatchingExpression = z
  .strictObject({
    value: text(600).describe("Entra's flexible expression, e.g. claims['sub'] matches 'repo:org/*'"),
    languageVersion: z.literal(1).default(1),
  })
  .describe('match tokens by an expression instead of an exact subject');

const federatedCredential = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/, {
        message: "must be 3-120 characters of letters, digits, '-' or '_', starting with a letter or digit",
      })
      .describe('unique within the application; identifies the credential (immutable)'),
    issuer: text(600).describe('issuer URL exactly as in the tokens (https)'),
    subject: text(600).optional().describe('exact subject; or use claimsMatchingExpression'),
    claimsMatchingExpression: claimsMatchingExpression.optional(),
    audiences: z
      .array(text(600))
      .length(1)
      .default([DEFAULT_FEDERATION_AUDIENCE])
      .describe(`exactly one audience (default ${DEFAULT_FEDERATION_AUDIENCE})`),
    description: z.string().max(600).optional(),
  })
  .superRefine((fic, ctx) => {
    if (fic.subject !== undefined && fic.claimsMatchingExpression !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'subject and claimsMatchingExpression are mutually exclusive',
      });
      return;
    }
    if (fic.subject === undefined && fic.claimsMatchingExpression === undefined) {
      ctx.addIssue({ code: 'custom', message: 'one of subject or claimsMatchingExpression is required' });
      return;
    }
    // The server's own rules (https issuer, expression syntax), so a bad file fails before any change;
    // the name is checked above, so a placeholder keeps it from being reported twice.
    try {
      normalizeFederatedIdentityCredential({ ...fic, name: 'checked-above' });
    } catch (error) {
      if (!(error instanceof CredlessError)) throw error;
      const field = error.params['field'];
      ctx.addIssue({
        code: 'custom',
        message: String(error.params['reason'] ?? error.message),
        ...(typeof field === 'string' ? { path: [field] } : {}),
      });
    }
  })
  .describe('a federated identity credential (issuer + subject or expression + audience)');

const appRole = z
  .strictObject({
    value: z
      .string()
      .regex(/^[^\s]{1,120}$/, { message: 'must be 1-120 characters without spaces' })
      .describe("the value in tokens' roles claim"),
    id: z
      .string()
      .regex(GUID, { message: 'must be a GUID' })
      .optional()
      .describe('default: derived from the value'),
    displayName: z.string().max(256).optional(),
    description: z.string().max(1024).optional(),
    allowedMemberTypes: z
      .array(z.enum(['Application', 'User']))
      .min(1)
      .default(['Application']),
    isEnabled: z.boolean().default(true),
  })
  .describe('an application role that other applications can be granted');

const apiPermission = z
  .strictObject({
    api: text(256).describe(
      "the resource: an appId (00000003-0000-0000-c000-000000000000 = Microsoft Graph) or an application's displayName",
    ),
    roles: z.array(text(256)).min(1).describe('app role values (User.Read.All) or ids'),
    adminConsent: z.boolean().default(true).describe('grant the roles (app role assignments); default true'),
  })
  .describe('application permissions requested (requiredResourceAccess) and, by default, admin-consented');

const application = z
  .strictObject({
    displayName: text(256).describe('identifies the application; unique within the file and the directory'),
    identifierUris: z.array(text(256)).default([]),
    appRoles: z.array(appRole).default([]),
    accessTokenAcceptedVersion: z
      .union([z.literal(1), z.literal(2), z.null()])
      .default(null)
      .describe('token version for this API as a resource (null = v1, as in Entra)'),
    servicePrincipal: z.boolean().default(true).describe('create the service principal (default true)'),
    federatedCredentials: z.array(federatedCredential).default([]),
    apiPermissions: z.array(apiPermission).default([]),
  })
  .describe('an application registration');

const group = z
  .strictObject({
    displayName: text(256).describe('identifies the group'),
    mailNickname: z.string().regex(/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]{1,64}$/, {
      message: 'must be 1-64 characters without spaces, @ or brackets',
    }),
    description: z.string().max(1024).optional(),
    members: z
      .array(text(256))
      .default([])
      .describe('displayNames of applications whose service principals are members'),
  })
  .describe('a security group');

function checkUnique(
  ctx: z.RefinementCtx,
  items: readonly { key: string; path: (string | number)[] }[],
  what: string,
): void {
  const seen = new Map<string, number>();
  for (const item of items) {
    const folded = item.key.toLowerCase();
    if (seen.has(folded)) {
      ctx.addIssue({ code: 'custom', path: item.path, message: `duplicate ${what} '${item.key}'` });
    } else seen.set(folded, 0);
  }
}

export const identityFileSchema = z
  .strictObject({
    $schema: z.string().optional().describe('JSON Schema for editors (ignored)'),
    apiVersion: z.literal(API_VERSION),
    applications: z.array(application).default([]),
    groups: z.array(group).default([]),
  })
  .superRefine((file, ctx) => {
    checkUnique(
      ctx,
      file.applications.map((app, i) => ({ key: app.displayName, path: ['applications', i, 'displayName'] })),
      'application displayName',
    );
    file.applications.forEach((app, i) => {
      checkUnique(
        ctx,
        app.federatedCredentials.map((fic, j) => ({
          key: fic.name,
          path: ['applications', i, 'federatedCredentials', j, 'name'],
        })),
        'federated credential name',
      );
      // Graph keeps (issuer, subject) unique per application, case-sensitively.
      const targets = new Map<string, number>();
      app.federatedCredentials.forEach((fic, j) => {
        if (fic.subject === undefined) return;
        const key = JSON.stringify([fic.issuer, fic.subject]);
        const first = targets.get(key);
        if (first === undefined) targets.set(key, j);
        else {
          ctx.addIssue({
            code: 'custom',
            path: ['applications', i, 'federatedCredentials', j, 'subject'],
            message: `same issuer and subject as federatedCredentials[${first}]`,
          });
        }
      });
      checkUnique(
        ctx,
        app.appRoles.map((role, j) => ({
          key: role.value,
          path: ['applications', i, 'appRoles', j, 'value'],
        })),
        'app role value',
      );
      app.apiPermissions.forEach((permission, j) => {
        if (permission.adminConsent && !app.servicePrincipal) {
          ctx.addIssue({
            code: 'custom',
            path: ['applications', i, 'apiPermissions', j, 'adminConsent'],
            message: 'admin consent needs the service principal (servicePrincipal: true)',
          });
        }
      });
    });
    checkUnique(
      ctx,
      file.groups.map((g, i) => ({ key: g.displayName, path: ['groups', i, 'displayName'] })),
      'group displayName',
    );
    checkUnique(
      ctx,
      file.groups.map((g, i) => ({ key: g.mailNickname, path: ['groups', i, 'mailNickname'] })),
      'group mailNickname',
    );
  })
  .describe('credless declarative identity: applications, federated credentials, permissions, groups');

export type IdentityFile = z.output<typeof identityFileSchema>;
export type IdentityFileInput = z.input<typeof identityFileSchema>;
export type ApplicationSpec = IdentityFile['applications'][number];
export type FederatedCredentialSpec = ApplicationSpec['federatedCredentials'][number];
export type AppRoleSpec = ApplicationSpec['appRoles'][number];
export type ApiPermissionSpec = ApplicationSpec['apiPermissions'][number];
export type GroupSpec = IdentityFile['groups'][number];

/** The JSON Schema of the file (what editors read), generated from the definition above. */
export function identityJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(identityFileSchema, { io: 'input', target: 'draft-2020-12' });
  return { ...generated, $id: SCHEMA_ID, title: 'credless identity file' };
}
