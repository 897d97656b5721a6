/**
 * The planner on plain data: what it creates, updates and deletes (only with prune), in which order,
 * how it renders, and that a directory matching the file plans nothing.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GRAPH_APP_ID, GRAPH_APP_ROLES } from '@credless/core';
import type { Action } from '../../src/declarative/actions.ts';
import type { DirectoryState } from '../../src/declarative/directory-api.ts';
import { parseIdentityFile } from '../../src/declarative/load.ts';
import { PlanError, plan } from '../../src/declarative/plan.ts';
import { renderPlan } from '../../src/declarative/render.ts';
import { derivedRoleId } from '../../src/declarative/resolve.ts';

const USER_READ_ALL = 'df021288-bdef-4463-88db-98f22de89214';
const GITHUB = 'https://token.actions.githubusercontent.com';

const file = (yaml: string) => parseIdentityFile(`apiVersion: credless.dev/v1\n${yaml}`, 'identity.yaml', {});

const graphSp = () => ({
  id: 'sp-graph',
  appId: GRAPH_APP_ID,
  displayName: 'Microsoft Graph',
  appRoles: [...GRAPH_APP_ROLES],
  appRoleAssignments: [],
});

function state(partial: Partial<DirectoryState> = {}): DirectoryState {
  return {
    applications: partial.applications ?? [],
    servicePrincipals: [graphSp(), ...(partial.servicePrincipals ?? [])],
    groups: partial.groups ?? [],
    protectedAppIds: partial.protectedAppIds ?? [],
  };
}

type CurrentApp = DirectoryState['applications'][number];
const currentApp = (displayName: string, extra: Partial<CurrentApp> = {}): CurrentApp => ({
  id: `obj-${displayName}`,
  appId: `app-${displayName}`,
  displayName,
  identifierUris: [],
  appRoles: [],
  requiredResourceAccess: [],
  api: { requestedAccessTokenVersion: null },
  federatedIdentityCredentials: [],
  ...extra,
});
const currentSp = (
  displayName: string,
  extra: Partial<DirectoryState['servicePrincipals'][number]> = {},
) => ({
  id: `sp-${displayName}`,
  appId: `app-${displayName}`,
  displayName,
  appRoles: [],
  appRoleAssignments: [],
  ...extra,
});

const summary = (actions: Action[]) =>
  actions.map((a) => `${a.op} ${a.kind} ${'name' in a ? a.name : 'app' in a ? a.app : ''}`.trim());

const MYAPP = `applications:
  - displayName: myapp
    identifierUris: [api://myapp, api://myapp2]
    appRoles: [{ value: Reader }]
    federatedCredentials:
      - { name: gh-main, issuer: ${GITHUB}, subject: "repo:o/r:ref:refs/heads/main" }
      - { name: gh-prs, issuer: ${GITHUB}, claimsMatchingExpression: { value: "claims['sub'] matches 'repo:o/r:*'" } }
    apiPermissions:
      - { api: ${GRAPH_APP_ID}, roles: [User.Read.All] }
`;

/** The directory after MYAPP was applied (lists in another order: order is not a change). */
function convergedMyapp(): DirectoryState {
  return state({
    applications: [
      currentApp('myapp', {
        identifierUris: ['api://myapp2', 'api://myapp'],
        appRoles: [
          {
            id: derivedRoleId('myapp', 'Reader'),
            value: 'Reader',
            displayName: 'Reader',
            description: 'Reader',
            allowedMemberTypes: ['Application'],
            isEnabled: true,
            origin: 'Application',
          },
        ],
        requiredResourceAccess: [
          { resourceAppId: GRAPH_APP_ID, resourceAccess: [{ id: USER_READ_ALL, type: 'Role' }] },
        ],
        federatedIdentityCredentials: [
          {
            id: 'f2',
            name: 'gh-prs',
            issuer: GITHUB,
            subject: null,
            claimsMatchingExpression: { value: "claims['sub'] matches 'repo:o/r:*'", languageVersion: 1 },
            audiences: ['api://AzureADTokenExchange'],
            description: null,
          },
          {
            id: 'f1',
            name: 'gh-main',
            issuer: GITHUB,
            subject: 'repo:o/r:ref:refs/heads/main',
            claimsMatchingExpression: null,
            audiences: ['api://AzureADTokenExchange'],
            description: null,
          },
        ],
      }),
    ],
    servicePrincipals: [
      currentSp('myapp', {
        appRoleAssignments: [
          { id: 'a1', principalId: 'sp-myapp', resourceId: 'sp-graph', appRoleId: USER_READ_ALL },
        ],
      }),
    ],
  });
}

describe('plan', () => {
  test('an empty directory: everything is created, in dependency order', () => {
    const result = plan(file(MYAPP), state());
    assert.deepEqual(summary(result.actions), [
      'create application myapp',
      'create servicePrincipal myapp',
      'create federatedCredential gh-main',
      'create federatedCredential gh-prs',
      'create appRoleAssignment myapp',
    ]);
    const text = renderPlan(result);
    assert.match(text, /^\+ create application "myapp"$/m);
    assert.match(text, /^ {4}appRoles \+ "Reader"$/m);
    assert.match(text, /^ {4}apiPermissions \+ "Microsoft Graph User\.Read\.All"$/m);
    assert.match(text, /^\+ create federated credential "gh-prs" \(application "myapp"\)$/m);
    assert.match(text, /^\+ grant Microsoft Graph User\.Read\.All to "myapp" \(admin consent\)$/m);
    assert.match(text, /^Plan: 5 to create, 0 to update, 0 to delete\.$/m);
    const ESC = String.fromCharCode(27);
    assert.ok(!text.includes(ESC), 'no color unless asked');
    assert.ok(renderPlan(result, { color: true }).includes(`${ESC}[32m+ create application`));
  });

  test('a directory that matches the file (lists in another order) plans nothing', () => {
    const result = plan(file(MYAPP), convergedMyapp());
    assert.deepEqual(result.actions, []);
    assert.equal(renderPlan(result), 'No changes: the directory matches the file.\n');
  });

  test('a changed subject is an update of that field only', () => {
    const result = plan(file(MYAPP.replace('refs/heads/main', 'refs/heads/release')), convergedMyapp());
    assert.equal(result.actions.length, 1);
    const [action] = result.actions;
    assert.ok(action?.kind === 'federatedCredential' && action.op === 'update');
    assert.deepEqual(action.patch, { subject: 'repo:o/r:ref:refs/heads/release' });
    assert.equal(
      renderPlan(result).split('\n')[0],
      '~ update federated credential "gh-main" (application "myapp"): subject "repo:o/r:ref:refs/heads/main" → "repo:o/r:ref:refs/heads/release"',
    );
  });

  test('switching a credential from subject to expression changes both fields', () => {
    const yaml = MYAPP.replace(
      'subject: "repo:o/r:ref:refs/heads/main"',
      `claimsMatchingExpression: { value: "claims['sub'] eq 'repo:o/r:ref:refs/heads/main'" }`,
    );
    const [action] = plan(file(yaml), convergedMyapp()).actions;
    assert.ok(action?.kind === 'federatedCredential' && action.op === 'update');
    assert.deepEqual(action.patch, {
      subject: null,
      claimsMatchingExpression: {
        value: "claims['sub'] eq 'repo:o/r:ref:refs/heads/main'",
        languageVersion: 1,
      },
    });
  });

  test('application fields: an update lists each change, and keeps the ids of existing roles', () => {
    const yaml = MYAPP.replace(
      'appRoles: [{ value: Reader }]',
      'appRoles: [{ value: Reader, description: Reads }, { value: Writer }]',
    )
      .replace(
        'identifierUris: [api://myapp, api://myapp2]',
        'identifierUris: [api://myapp]\n    accessTokenAcceptedVersion: 2',
      )
      .replace('roles: [User.Read.All]', 'roles: [User.Read.All, Group.Read.All]');
    const result = plan(file(yaml), convergedMyapp());
    const update = result.actions.find((a) => a.kind === 'application');
    assert.ok(update?.kind === 'application' && update.op === 'update');
    assert.deepEqual(
      update.changes.map((c) => c.path),
      [
        'identifierUris',
        'appRoles["Reader"].description',
        'appRoles',
        'accessTokenAcceptedVersion',
        'apiPermissions',
      ],
    );
    assert.equal(update.patch.appRoles?.[0]?.id, derivedRoleId('myapp', 'Reader'));
    assert.equal(update.patch.appRoles?.[1]?.id, derivedRoleId('myapp', 'Writer'));
    assert.deepEqual(update.patch.api, { requestedAccessTokenVersion: 2 });
    const text = renderPlan(result);
    assert.match(text, /^~ update application "myapp"$/m);
    assert.match(text, /^ {4}identifierUris \["api:\/\/myapp2","api:\/\/myapp"\] → \["api:\/\/myapp"\]$/m);
    assert.match(text, /^ {4}appRoles\["Reader"\]\.description "Reader" → "Reads"$/m);
    assert.match(text, /^\+ grant Microsoft Graph Group\.Read\.All to "myapp"/m);
  });

  test('objects not in the file are left alone without prune, and deleted with it', () => {
    const current = convergedMyapp();
    current.applications.push(currentApp('old-app'), currentApp('admin'));
    current.protectedAppIds = ['app-admin'];
    current.applications[0]?.federatedIdentityCredentials.push({
      id: 'f3',
      name: 'stale',
      issuer: GITHUB,
      subject: 'repo:o/r:environment:old',
      claimsMatchingExpression: null,
      audiences: ['api://AzureADTokenExchange'],
      description: null,
    });
    current.servicePrincipals[1]?.appRoleAssignments.push({
      id: 'a2',
      principalId: 'sp-myapp',
      resourceId: 'sp-graph',
      appRoleId: '62a82d76-70ea-41e2-9197-370581804d09',
    });
    current.groups.push({
      id: 'g1',
      displayName: 'old-group',
      mailNickname: 'old',
      description: null,
      members: [],
    });

    const kept = plan(file(MYAPP), current);
    assert.deepEqual(kept.actions, []);
    assert.equal(kept.unmanaged, 4);
    assert.match(
      renderPlan(kept),
      /4 objects in the directory not in the file are left alone \(--prune deletes them\)/,
    );

    const pruned = plan(file(MYAPP), current, { prune: true });
    assert.deepEqual(summary(pruned.actions), [
      'delete federatedCredential stale',
      'delete appRoleAssignment myapp',
      'delete application old-app',
      'delete group old-group',
    ]);
    assert.match(renderPlan(pruned), /^- revoke Microsoft Graph Group\.ReadWrite\.All from "myapp"$/m);
    assert.match(renderPlan(pruned, { prune: true }), /^Plan: 0 to create, 0 to update, 4 to delete\.$/m);
  });

  test('servicePrincipal: false: an existing principal and its consent go only with prune', () => {
    const yaml = MYAPP.replace(
      '    apiPermissions:',
      '    servicePrincipal: false\n    apiPermissions:',
    ).replace('roles: [User.Read.All] }', 'roles: [User.Read.All], adminConsent: false }');
    const kept = plan(file(yaml), convergedMyapp());
    assert.deepEqual(kept.actions, []);
    assert.equal(kept.unmanaged, 2);
    const pruned = plan(file(yaml), convergedMyapp(), { prune: true });
    assert.deepEqual(summary(pruned.actions), [
      'delete appRoleAssignment myapp',
      'delete servicePrincipal myapp',
    ]);
    assert.match(renderPlan(pruned), /^- delete service principal of "myapp"$/m);
  });

  test('prune keeps directory applications the file uses as an API or a group member', () => {
    const current = convergedMyapp();
    current.applications.push(currentApp('shared-api'), currentApp('legacy-worker'), currentApp('unused'));
    current.servicePrincipals.push(
      currentSp('shared-api', {
        appRoles: [{ ...GRAPH_APP_ROLES[0]!, id: USER_READ_ALL, value: 'Shared.Read' }],
      }),
      currentSp('legacy-worker'),
    );
    const yaml = `groups: [{ displayName: g, mailNickname: g, members: [legacy-worker] }]\n${MYAPP.replace(
      '      - { api: ',
      '      - { api: shared-api, roles: [Shared.Read], adminConsent: false }\n      - { api: ',
    )}`;
    const result = plan(file(yaml), current, { prune: true });
    assert.deepEqual(
      result.actions
        .filter((a) => a.op === 'delete')
        .map((a) => (a.kind === 'application' ? a.name : a.kind)),
      ['unused'],
    );
  });

  test('a renamed credential: with prune the old one goes first, freeing its issuer and subject', () => {
    const result = plan(file(MYAPP.replace('name: gh-main', 'name: gh-main-2')), convergedMyapp(), {
      prune: true,
    });
    assert.deepEqual(summary(result.actions), [
      'delete federatedCredential gh-main',
      'create federatedCredential gh-main-2',
    ]);
  });

  test('permissions on an API of the file: the API is created first, roles resolve by value', () => {
    const result = plan(
      file(`applications:
  - displayName: client
    apiPermissions: [{ api: orders-api, roles: [Orders.Read] }]
  - displayName: orders-api
    appRoles: [{ value: Orders.Read }]
`),
      state(),
    );
    assert.deepEqual(summary(result.actions).slice(0, 2), [
      'create application orders-api',
      'create application client',
    ]);
    const client = result.actions[1];
    assert.ok(client?.kind === 'application' && client.op === 'create');
    assert.deepEqual(client.body.requiredResourceAccess[0]?.resource, { displayName: 'orders-api' });
    assert.deepEqual(client.body.requiredResourceAccess[0]?.resourceAccess, [
      { id: derivedRoleId('orders-api', 'Orders.Read'), type: 'Role' },
    ]);
    assert.match(renderPlan(result), /^\+ grant orders-api Orders\.Read to "client" \(admin consent\)$/m);
  });

  test('an API by displayName: a built-in resource is found through its service principal', () => {
    const byName = plan(
      file(MYAPP.replace(`api: ${GRAPH_APP_ID}`, 'api: Microsoft Graph')),
      convergedMyapp(),
    );
    assert.deepEqual(byName.actions, []);
  });

  test('groups: created with members; an existing group that differs is updated in place', () => {
    const yaml = `groups: [{ displayName: admins, mailNickname: admins, members: [myapp] }]\n${MYAPP}`;
    const created = plan(file(yaml), convergedMyapp());
    assert.deepEqual(summary(created.actions), ['create group admins', 'create groupMember']);
    assert.match(renderPlan(created), /^\+ add "myapp" to group "admins"$/m);

    const current = convergedMyapp();
    current.groups.push({
      id: 'g',
      displayName: 'admins',
      mailNickname: 'admins',
      description: null,
      members: ['sp-myapp'],
    });
    assert.deepEqual(plan(file(yaml), current).actions, []);
    current.groups[0]!.members.push('sp-other');
    assert.equal(plan(file(yaml), current).unmanaged, 1);
    assert.deepEqual(summary(plan(file(yaml), current, { prune: true }).actions), ['delete groupMember']);

    current.groups[0]!.mailNickname = 'other';
    current.groups[0]!.description = 'old';
    const changed = plan(file(yaml), current);
    assert.deepEqual(changed.actions, [
      {
        kind: 'group',
        op: 'update',
        name: 'admins',
        id: 'g',
        patch: { mailNickname: 'admins', description: null },
        changes: [
          { path: 'mailNickname', before: 'other', after: 'admins' },
          { path: 'description', before: 'old', after: null },
        ],
      },
    ]);
    assert.match(
      renderPlan(changed),
      /^~ update group "admins"\n {4}mailNickname "other" → "admins"\n {4}description "old" → null$/m,
    );
    assert.match(renderPlan(changed), /Plan: 0 to create, 1 to update, 0 to delete\./);
  });

  const unplannable: Array<[string, string, DirectoryState, RegExp]> = [
    [
      'an unknown role',
      `applications: [{ displayName: a, apiPermissions: [{ api: ${GRAPH_APP_ID}, roles: [Users.ReadAll] }] }]`,
      state(),
      /applications\[0\]\.apiPermissions\[0\]\.roles: 'Users\.ReadAll' is not an app role of Microsoft Graph \(its roles: User\.Read\.All, /,
    ],
    [
      'an unknown API',
      'applications: [{ displayName: a, apiPermissions: [{ api: nowhere, roles: [R] }] }]',
      state(),
      /applications\[0\]\.apiPermissions\[0\]\.api: 'nowhere' is neither an appId nor an application/,
    ],
    [
      'an unknown appId',
      'applications: [{ displayName: a, apiPermissions: [{ api: 11111111-2222-3333-4444-555555555555, roles: [R] }] }]',
      state(),
      /no application with appId 11111111-2222-3333-4444-555555555555 in the directory/,
    ],
    [
      'two directory applications with the name',
      'applications: [{ displayName: twin }]',
      state({ applications: [currentApp('twin'), currentApp('twin', { id: 'obj-twin-2' })] }),
      /applications\[0\]\.displayName: 2 applications in the directory are named 'twin' \(ids obj-twin, obj-twin-2\)/,
    ],
    [
      'consent on an API without a service principal',
      'applications: [{ displayName: a, apiPermissions: [{ api: api, roles: [R] }] }, { displayName: api, servicePrincipal: false, appRoles: [{ value: R }] }]',
      state(),
      /applications\[0\]\.apiPermissions\[0\]\.adminConsent: api has no service principal/,
    ],
    [
      'applications requesting permissions on each other',
      `applications:
  - { displayName: a, appRoles: [{ value: R }], apiPermissions: [{ api: b, roles: [R] }] }
  - { displayName: b, appRoles: [{ value: R }], apiPermissions: [{ api: a, roles: [R] }] }`,
      state(),
      /applications 'a' → 'b' → 'a' request permissions on each other/,
    ],
    [
      'a group member that is no application',
      'groups: [{ displayName: g, mailNickname: g, members: [ghost] }]',
      state(),
      /groups\[0\]\.members\[0\]: 'ghost' is not an application in the file or the directory/,
    ],
  ];
  for (const [name, yaml, current, expected] of unplannable) {
    test(`cannot plan: ${name}`, () => {
      assert.throws(
        () => plan(file(yaml), current),
        (error: unknown) => error instanceof PlanError && expected.test(error.message),
      );
    });
  }
});
