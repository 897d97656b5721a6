/**
 * The planner's groups: created with their members (service principals of applications); members not
 * in the file are removed and groups not in the file deleted only with prune. Groups are not changed
 * in place: a group that differs from the file is a problem to report.
 * @module
 */
import type { Action, Change } from './actions.ts';
import type { IdentityFile } from './definition.ts';
import type { DirectoryState } from './directory-api.ts';
import { type CurrentApplication, PlanError, type Resolver } from './resolve.ts';

export interface GroupActions {
  creates: Action[];
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
      const differs: Change[] = [];
      if (current.mailNickname !== spec.mailNickname)
        differs.push({ path: 'mailNickname', before: current.mailNickname, after: spec.mailNickname });
      if ((current.description ?? null) !== (spec.description ?? null))
        differs.push({ path: 'description', before: current.description, after: spec.description ?? null });
      for (const change of differs) {
        problems.push(
          `${where}.${change.path}: the group exists with ${JSON.stringify(change.before)}; groups cannot be changed in place (change the file back, or delete the group first)`,
        );
      }
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
  return { creates, members, deletes, unmanaged };
}
