/**
 * Tenants. Creating one also creates its built-in resource applications (Graph, ARM, …) with their
 * service principals, in the same transaction.
 * @module
 */
import type { Tenant } from '@credless/core';
import { insertApplication } from './applications.ts';
import { TENANT_RESOURCE_APPLICATIONS } from './built-in-applications.ts';
import * as rules from './input-rules.ts';
import * as rows from './rows.ts';
import { insertServicePrincipal } from './service-principals.ts';
import { duplicate, requireTenant, type StoreContext } from './store-context.ts';

export interface CreateTenantInput {
  id?: string;
  defaultDomain: string;
  displayName: string;
}

export interface TenantsRepository {
  createTenant(input: CreateTenantInput): Promise<Tenant>;
  /** By GUID id or default domain (domain compared case-insensitively, as DNS is). */
  findTenant(idOrDomain: string): Promise<Tenant | undefined>;
  listTenants(): Promise<Tenant[]>;
  updateTenant(tenantId: string, patch: { displayName?: string }): Promise<Tenant>;
}

export function tenantsRepository(ctx: StoreContext): TenantsRepository {
  return {
    async createTenant(input) {
      const id = input.id === undefined ? ctx.newId() : rules.normalizeTenantId(input.id);
      const defaultDomain = rules.normalizeDomain(input.defaultDomain);
      const displayName = rules.checkDisplayName(input.displayName);
      return ctx.write(async (trx) => {
        const clash = await trx
          .selectFrom('tenants')
          .select(['id', 'default_domain'])
          .where((eb) => eb.or([eb('id', '=', id), eb('default_domain', '=', defaultDomain)]))
          .executeTakeFirst();
        if (clash?.id === id) throw duplicate('Tenant', 'id', id);
        if (clash !== undefined) throw duplicate('Tenant', 'defaultDomain', defaultDomain);
        const row = { id, default_domain: defaultDomain, display_name: displayName, created_at: ctx.now() };
        await trx.insertInto('tenants').values(row).execute();
        for (const builtIn of TENANT_RESOURCE_APPLICATIONS) {
          const app = await insertApplication(ctx, trx, id, builtIn);
          await insertServicePrincipal(ctx, trx, app, {});
        }
        return rows.tenantFromRow(row);
      });
    },

    async findTenant(idOrDomain) {
      const key = idOrDomain.trim().toLowerCase();
      const row = await ctx.db
        .selectFrom('tenants')
        .selectAll()
        .where((eb) => eb.or([eb('id', '=', key), eb('default_domain', '=', key)]))
        .executeTakeFirst();
      return row && rows.tenantFromRow(row);
    },

    async listTenants() {
      const found = await ctx.db
        .selectFrom('tenants')
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return found.map(rows.tenantFromRow);
    },

    async updateTenant(tenantId, patch) {
      const displayName =
        patch.displayName === undefined ? undefined : rules.checkDisplayName(patch.displayName);
      return ctx.write(async (trx) => {
        await requireTenant(trx, tenantId);
        if (displayName !== undefined) {
          await trx
            .updateTable('tenants')
            .set({ display_name: displayName })
            .where('id', '=', tenantId)
            .execute();
        }
        const row = await trx
          .selectFrom('tenants')
          .selectAll()
          .where('id', '=', tenantId)
          .executeTakeFirstOrThrow();
        return rows.tenantFromRow(row);
      });
    },
  };
}
