/**
 * The planner's groups: created with their members (service principals of applications); members not
 * in the file are removed and groups not in the file deleted only with prune. A group is known by its
 * displayName; its mailNickname and description are updated in place (Graph's PATCH).
 * @module
 */
import type { Action, Change } from './actions.ts';
import type { IdentityFile } from './definition.ts';
import type { DirectoryState, GroupBody } from './directory-api.ts';
import { type CurrentApplication, PlanError, type Resolver } from './resolve.ts';

export interface GroupActions {
  creates: Action[];
  updates: Action[];
  members: Action[];
  deletes: Action[];
  unmanaged: number;
}

export function planGroups(
  file: IdentityFile,
  state: DirectoryState,
  resolver: Resolver,
  prune: boolean,
  problems: string[],
): GroupActions {
  const creates: Action[] = [];
  const updates: Action[] = [];
  const members: Action[] = [];
  const deletes: Action[] = [];
  let unmanaged = 0;
  file.groups.forEach((spec, i) => {
    const where = `groups[${i}]`;
    const matching = state.groups.filter((group) => group.displayName === spec.displayName);
    if (matching.length > 1) {
      problems.push(
        `${where}.displayName: ${matching.length} groups in the directory are named '${spec.displayName}'`,
      );
      return;
    }
    const current = matching[0];
    if (!current) {
      creates.push({
        kind: 'group',
        op: 'create',
        name: spec.displayName,
        body: {
          displayName: spec.displayName,
          mailNickname: spec.mailNickname,
          description: spec.description ?? null,
        },
      });
    } else {
      const update = groupUpdate(current, spec);
      if (update) updates.push(update);
    }
    const wantedIds = new Set<string>();
    spec.members.forEach((member, j) => {
      const at = `${where}.members[${j}]`;
      const memberSpec = resolver.spec(member);
      let app: CurrentApplication | undefined;
      try {
        app = resolver.application(member, at);
      } catch (error) {
        if (error instanceof PlanError) problems.push(...error.problems);
        return;
      }
      const sp = app ? resolver.servicePrincipalOf(app.appId) : undefined;
      if (!sp && !memberSpec?.servicePrincipal) {
        problems.push(
          `${at}: '${member}' is ${app || memberSpec ? 'an application without a service principal' : 'not an application in the file or the directory'}`,
        );
        return;
      }
      if (sp) wantedIds.add(sp.id);
      if (!sp || !current?.members.includes(sp.id)) {
        members.push({ kind: 'groupMember', op: 'create', group: spec.displayName, member });
      }
    });
    for (const memberId of current?.members ?? []) {
      if (wantedIds.has(memberId)) continue;
      if (!prune) {
        unmanaged += 1;
        continue;
      }
      const sp = state.servicePrincipals.find((candidate) => candidate.id === memberId);
      members.unshift({
        kind: 'groupMember',
        op: 'delete',
        group: spec.displayName,
        member: sp?.displayName ?? memberId,
        groupId: current?.id ?? '',
        memberId,
      });
    }
  });
  const wanted = new Set(file.groups.map((group) => group.displayName));
  for (const group of state.groups) {
    if (wanted.has(group.displayName)) continue;
    if (prune) deletes.push({ kind: 'group', op: 'delete', name: group.displayName, id: group.id });
    else unmanaged += 1;
  }
  return { creates, updates, members, deletes, unmanaged };
}

/** The PATCH that makes an existing group match the file, if it differs. */
function groupUpdate(
  current: DirectoryState['groups'][number],
  spec: IdentityFile['groups'][number],
): Action | undefined {
  const changes: Change[] = [];
  const patch: Partial<GroupBody> = {};
  if (current.mailNickname !== spec.mailNickname) {
    changes.push({ path: 'mailNickname', before: current.mailNickname, after: spec.mailNickname });
    patch.mailNickname = spec.mailNickname;
  }
  const description = spec.description ?? null;
  if ((current.description ?? null) !== description) {
    changes.push({ path: 'description', before: current.description ?? null, after: description });
    patch.description = description;
  }
  if (changes.length === 0) return undefined;
  return { kind: 'group', op: 'update', name: spec.displayName, id: current.id, patch, changes };
}
