/**
 * `/applications/{id}/federatedIdentityCredentials`: list, create, and get/update/delete by id (or
 * name) or by `(name='…')`, whose PATCH creates the credential when absent (Graph's upsert). The
 * application may be addressed by `(appId='…')` too.
 * @module
 */
import {
  CredlessError,
  type FederatedIdentityCredential,
  type FederatedIdentityCredentialInput,
} from '@credless/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { addressedApplication, applicationPaths } from './applications.ts';
import {
  GRAPH_ROLES,
  type GraphHandlerContext,
  objectBody,
  quotedKey,
  requireRole,
  sendCreated,
} from './graph-handler.ts';
import { collection, entity, parseODataQuery } from './odata.ts';

const SEGMENT = 'federatedIdentityCredentials';

/** Graph's shape of a credential (the declared return type keeps the emitted .d.ts portable). */
export type GraphFederatedCredential = Pick<
  FederatedIdentityCredential,
  'id' | 'name' | 'issuer' | 'subject' | 'audiences' | 'description' | 'claimsMatchingExpression'
>;

export function toGraphFederatedCredential(
  credential: FederatedIdentityCredential,
): GraphFederatedCredential {
  return {
    id: credential.id,
    name: credential.name,
    issuer: credential.issuer,
    subject: credential.subject,
    audiences: credential.audiences,
    description: credential.description,
    claimsMatchingExpression: credential.claimsMatchingExpression,
  };
}

const PROPERTIES = Object.keys(
  toGraphFederatedCredential({ audiences: [''] } as FederatedIdentityCredential),
);
const WRITABLE = ['name', 'issuer', 'subject', 'audiences', 'description', 'claimsMatchingExpression'];

/** The request body as credential input; unknown properties are refused, as Graph does. */
function credentialBody(request: FastifyRequest): Record<string, unknown> {
  const body = objectBody(request);
  for (const key of Object.keys(body)) {
    if (key === 'id' || key.startsWith('@odata.')) continue;
    if (!WRITABLE.includes(key)) {
      throw new CredlessError('graph_bad_request', {
        reason: `Property '${key}' does not exist on type 'microsoft.graph.federatedIdentityCredential'.`,
      });
    }
  }
  return body;
}

const contextPath = (applicationId: string) => `applications('${applicationId}')/${SEGMENT}`;

function credentialKey(request: FastifyRequest): string {
  const byName = quotedKey(request.params, 'name');
  return byName ?? (request.params as { credentialId: string }).credentialId;
}

export function federatedCredentialRoutes(app: FastifyInstance, ctx: GraphHandlerContext): void {
  const base = () => ctx.graphBaseUrl();

  for (const path of applicationPaths(`/${SEGMENT}`)) {
    app.get(path, async (request) => {
      const caller = ctx.caller(request);
      requireRole(caller, GRAPH_ROLES.applicationRead);
      const query = parseODataQuery(request.query as Record<string, unknown>, PROPERTIES, [
        'name',
        'issuer',
        'subject',
      ]);
      const application = await addressedApplication(ctx, request);
      const found = await ctx.store.listFederatedIdentityCredentials(caller.tenant.id, application.id);
      return collection(base(), contextPath(application.id), found.map(toGraphFederatedCredential), query);
    });

    app.post(path, async (request, reply) => {
      const caller = ctx.caller(request);
      requireRole(caller, GRAPH_ROLES.applicationWrite);
      const body = credentialBody(request);
      const application = await addressedApplication(ctx, request);
      const created = await ctx.store.createFederatedIdentityCredential(
        caller.tenant.id,
        application.id,
        body as unknown as FederatedIdentityCredentialInput,
      );
      return sendCreated(reply, base(), contextPath(application.id), toGraphFederatedCredential(created));
    });
  }

  const onePaths = [
    ...applicationPaths(`/${SEGMENT}/:credentialId`),
    ...applicationPaths(`/${SEGMENT}(name=':name')`),
  ];
  for (const path of onePaths) {
    app.get(path, async (request) => {
      const caller = ctx.caller(request);
      requireRole(caller, GRAPH_ROLES.applicationRead);
      const query = parseODataQuery(request.query as Record<string, unknown>, PROPERTIES, []);
      const application = await addressedApplication(ctx, request);
      const key = credentialKey(request);
      const found = await ctx.store.getFederatedIdentityCredential(caller.tenant.id, application.id, key);
      if (!found) throw new CredlessError('not_found', { id: key });
      return entity(base(), contextPath(application.id), toGraphFederatedCredential(found), query.select);
    });

    app.patch(path, async (request, reply) => {
      const caller = ctx.caller(request);
      requireRole(caller, GRAPH_ROLES.applicationWrite);
      const body = credentialBody(request);
      const application = await addressedApplication(ctx, request);
      const key = credentialKey(request);
      const byName = quotedKey(request.params, 'name') !== undefined;
      const existing = await ctx.store.getFederatedIdentityCredential(caller.tenant.id, application.id, key);
      if (existing === undefined && byName) {
        // Upsert: PATCH …(name='x') creates the credential, named by the address.
        if (body['name'] !== undefined && body['name'] !== key) {
          throw new CredlessError('invalid_value', {
            field: 'name',
            reason: 'must match the name in the URL',
          });
        }
        const created = await ctx.store.createFederatedIdentityCredential(caller.tenant.id, application.id, {
          ...(body as unknown as FederatedIdentityCredentialInput),
          name: key,
        });
        return sendCreated(reply, base(), contextPath(application.id), toGraphFederatedCredential(created));
      }
      if (existing === undefined) throw new CredlessError('not_found', { id: key });
      if (body['name'] !== undefined && body['name'] !== existing.name) {
        throw new CredlessError('invalid_value', { field: 'name', reason: 'is immutable' });
      }
      const { name: _name, ...patch } = body;
      await ctx.store.updateFederatedIdentityCredential(
        caller.tenant.id,
        application.id,
        existing.id,
        patch as Partial<FederatedIdentityCredentialInput>,
      );
      return reply.code(204).send();
    });

    app.delete(path, async (request, reply) => {
      const caller = ctx.caller(request);
      requireRole(caller, GRAPH_ROLES.applicationWrite);
      const application = await addressedApplication(ctx, request);
      await ctx.store.deleteFederatedIdentityCredential(
        caller.tenant.id,
        application.id,
        credentialKey(request),
      );
      return reply.code(204).send();
    });
  }
}
