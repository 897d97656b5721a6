/**
 * Groups and their members (Graph `/groups`). Members are directory objects of the group's tenant:
 * service principals or other groups, by object id.
 * @module
 */
import { CredlessError } from '@credless/core';
import * as rules from './input-rules.ts';
import { toFlag } from './rows.ts';
import type { GroupsTable } from './schema.ts';
import {
  type Db,
  invalid,
  notFound,
  principalRow,
  requireTenant,
  type StoreContext,
} from './store-context.ts';

export interface Group {
  id: string;
  tenantId: string;
  displayName: string;
  mailNickname: string;
  mailEnabled: boolean;
  securityEnabled: boolean;
  description: string | null;
  createdDateTime: string;
}

export interface CreateGroupInput {
  displayName: string;
  mailNickname: string;
  mailEnabled?: boolean;
  securityEnabled?: boolean;
  description?: string | null;
}

/** Graph's PATCH of a group: any of the creatable properties. */
export type UpdateGroupInput = Partial<CreateGroupInput>;

export interface GroupMember {
  id: string;
  type: 'servicePrincipal' | 'group';
  displayName: string;
  /** For service principals. */
  appId?: string;
}

const MAIL_NICKNAME = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]{1,64}$/;
const MAX_DESCRIPTION = 1024;

const groupFromRow = (row: GroupsTable): Group => ({
  id: row.id,
  tenantId: row.tenant_id,
  displayName: row.display_name,
  mailNickname: row.mail_nickname,
  mailEnabled: Number(row.mail_enabled) === 1,
  securityEnabled: Number(row.security_enabled) === 1,
  description: row.description,
  createdDateTime: new Date(Number(row.created_at)).toISOString(),
});

function groupRow(db: Db, tenantId: string, groupId: string) {
  return db
    .selectFrom('groups')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', groupId)
    .executeTakeFirst();
}

function checkGroupInput(input: CreateGroupInput) {
  const displayName = rules.checkDisplayName(input.displayName);
  if (typeof input.mailNickname !== 'string' || !MAIL_NICKNAME.test(input.mailNickname)) {
    throw invalid('mailNickname', 'must be 1-64 characters without spaces, @ or brackets');
  }
  if (input.description != null) {
    if (typeof input.description !== 'string' || input.description.length > MAX_DESCRIPTION) {
      throw invalid('description', `must be a string of at most ${MAX_DESCRIPTION} characters`);
    }
  }
  for (const field of ['mailEnabled', 'securityEnabled'] as const) {
    if (input[field] !== undefined && typeof input[field] !== 'boolean')
      throw invalid(field, 'must be a boolean');
  }
  return displayName;
}

export async function createGroup(
  ctx: StoreContext,
  tenantId: string,
  input: CreateGroupInput,
): Promise<Group> {
  const displayName = checkGroupInput(input);
  return ctx.write(async (trx) => {
    await requireTenant(trx, tenantId);
    const row: GroupsTable = {
      id: ctx.newId(),
      tenant_id: tenantId,
      display_name: displayName,
      mail_nickname: input.mailNickname,
      mail_enabled: toFlag(input.mailEnabled === true),
      security_enabled: toFlag(input.securityEnabled ?? true),
      description: input.description ?? null,
      created_at: ctx.now(),
    };
    await trx.insertInto('groups').values(row).execute();
    return groupFromRow(row);
  });
}

/** Changes some properties; the result must be as valid as a new group would be. */
export async function updateGroup(
  ctx: StoreContext,
  tenantId: string,
  groupId: string,
  patch: UpdateGroupInput,
): Promise<Group> {
  return ctx.write(async (trx) => {
    const row = await groupRow(trx, tenantId, groupId);
    if (row === undefined) throw notFound(groupId);
    const current = groupFromRow(row);
    const defined = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
    const next = { ...current, ...defined } as Group;
    const displayName = checkGroupInput(next);
    await trx
      .updateTable('groups')
      .set({
        display_name: displayName,
        mail_nickname: next.mailNickname,
        mail_enabled: toFlag(next.mailEnabled),
        security_enabled: toFlag(next.securityEnabled),
        description: next.description ?? null,
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', groupId)
      .execute();
    return { ...next, displayName, description: next.description ?? null };
  });
}

export async function getGroup(db: Db, tenantId: string, groupId: string): Promise<Group | undefined> {
  const row = await groupRow(db, tenantId, groupId);
  return row && groupFromRow(row);
}

export async function listGroups(db: Db, tenantId: string): Promise<Group[]> {
  const found = await db
    .selectFrom('groups')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return found.map(groupFromRow);
}

export async function deleteGroup(ctx: StoreContext, tenantId: string, groupId: string): Promise<void> {
  await ctx.write(async (trx) => {
    if ((await groupRow(trx, tenantId, groupId)) === undefined) throw notFound(groupId);
    // Memberships of the group in other groups, then its own (also cascaded) and the group.
    await trx.deleteFrom('group_members').where('member_id', '=', groupId).execute();
    await trx.deleteFrom('group_members').where('group_id', '=', groupId).execute();
    await trx.deleteFrom('groups').where('id', '=', groupId).execute();
  });
}

/** Adds a service principal or group of the same tenant; adding it twice is Graph's 400. */
export async function createGroupMember(
  ctx: StoreContext,
  tenantId: string,
  groupId: string,
  memberId: string,
): Promise<void> {
  await ctx.write(async (trx) => {
    if ((await groupRow(trx, tenantId, groupId)) === undefined) throw notFound(groupId);
    const isPrincipal = (await principalRow(trx, tenantId, 'id', memberId)) !== undefined;
    const isGroup = !isPrincipal && (await groupRow(trx, tenantId, memberId)) !== undefined;
    if (!isPrincipal && !isGroup) throw notFound(memberId);
    if (memberId === groupId) throw invalid('members', 'a group cannot be a member of itself');
    const existing = await trx
      .selectFrom('group_members')
      .select('member_id')
      .where('group_id', '=', groupId)
      .where('member_id', '=', memberId)
      .executeTakeFirst();
    if (existing !== undefined) throw new CredlessError('group_member_exists');
    await trx
      .insertInto('group_members')
      .values({ group_id: groupId, tenant_id: tenantId, member_id: memberId, created_at: ctx.now() })
      .execute();
  });
}

export async function deleteGroupMember(
  ctx: StoreContext,
  tenantId: string,
  groupId: string,
  memberId: string,
): Promise<void> {
  await ctx.write(async (trx) => {
    const result = await trx
      .deleteFrom('group_members')
      .where('tenant_id', '=', tenantId)
      .where('group_id', '=', groupId)
      .where('member_id', '=', memberId)
      .executeTakeFirst();
    if (result.numDeletedRows === 0n) throw notFound(memberId);
  });
}

/** The group's members, service principals first, each in insertion order. */
export async function listGroupMembers(db: Db, tenantId: string, groupId: string): Promise<GroupMember[]> {
  const members = db
    .selectFrom('group_members as m')
    .where('m.tenant_id', '=', tenantId)
    .where('m.group_id', '=', groupId);
  const [principals, groups] = await Promise.all([
    members
      .innerJoin('service_principals as p', 'p.id', 'm.member_id')
      .select(['p.id', 'p.display_name', 'p.app_id'])
      .orderBy('m.created_at')
      .orderBy('p.id')
      .execute(),
    members
      .innerJoin('groups as g', 'g.id', 'm.member_id')
      .select(['g.id', 'g.display_name'])
      .orderBy('m.created_at')
      .orderBy('g.id')
      .execute(),
  ]);
  return [
    ...principals.map((p) => ({
      id: p.id,
      type: 'servicePrincipal' as const,
      displayName: p.display_name,
      appId: p.app_id,
    })),
    ...groups.map((g) => ({ id: g.id, type: 'group' as const, displayName: g.display_name })),
  ];
}

/** Removes every membership of a deleted directory object (inside the caller's transaction). */
/** Ids of the groups `memberIds` are direct members of (one indexed query per level of nesting). */
export async function listGroupIdsOfMembers(
  db: Db,
  tenantId: string,
  memberIds: readonly string[],
): Promise<string[]> {
  if (memberIds.length === 0) return [];
  const found = await db
    .selectFrom('group_members')
    .select('group_id')
    .distinct()
    .where('tenant_id', '=', tenantId)
    .where('member_id', 'in', [...memberIds])
    .execute();
  return found.map((row) => row.group_id);
}

export async function deleteMemberships(trx: Db, memberId: string): Promise<void> {
  await trx.deleteFrom('group_members').where('member_id', '=', memberId).execute();
}

export interface GroupsRepository {
  createGroup(tenantId: string, input: CreateGroupInput): Promise<Group>;
  /** Graph's PATCH: displayName, mailNickname, description, mailEnabled, securityEnabled. */
  updateGroup(tenantId: string, groupId: string, patch: UpdateGroupInput): Promise<Group>;
  getGroup(tenantId: string, groupId: string): Promise<Group | undefined>;
  listGroups(tenantId: string): Promise<Group[]>;
  deleteGroup(tenantId: string, groupId: string): Promise<void>;
  /** Adds a service principal or group of the tenant; an existing member is `group_member_exists`. */
  createGroupMember(tenantId: string, groupId: string, memberId: string): Promise<void>;
  deleteGroupMember(tenantId: string, groupId: string, memberId: string): Promise<void>;
  listGroupMembers(tenantId: string, groupId: string): Promise<GroupMember[]>;
  /** Ids of the groups these objects are direct members of (Graph's memberOf, one level). */
  listGroupIdsOfMembers(tenantId: string, memberIds: readonly string[]): Promise<string[]>;
}

export function groupsRepository(ctx: StoreContext): GroupsRepository {
  return {
    createGroup: (tenantId, input) => createGroup(ctx, tenantId, input),
    updateGroup: (tenantId, groupId, patch) => updateGroup(ctx, tenantId, groupId, patch),
    getGroup: (tenantId, groupId) => getGroup(ctx.db, tenantId, groupId),
    listGroups: (tenantId) => listGroups(ctx.db, tenantId),
    deleteGroup: (tenantId, groupId) => deleteGroup(ctx, tenantId, groupId),
    createGroupMember: (tenantId, groupId, memberId) => createGroupMember(ctx, tenantId, groupId, memberId),
    deleteGroupMember: (tenantId, groupId, memberId) => deleteGroupMember(ctx, tenantId, groupId, memberId),
    listGroupMembers: (tenantId, groupId) => listGroupMembers(ctx.db, tenantId, groupId),
    listGroupIdsOfMembers: (tenantId, memberIds) => listGroupIdsOfMembers(ctx.db, tenantId, memberIds),
  };
}
