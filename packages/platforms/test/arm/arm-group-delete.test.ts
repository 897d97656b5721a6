/**
 * What the real az meets beyond the basic AKS calls, by inject on a real credless with the local
 * platforms: `az group delete` deletes the group's managed clusters (their API listeners stop) and
 * registries before the group; a managed cluster keeps the tags, DNS prefix and node pool sizes its PUT
 * gave (`az aks update --tags`); and `az resource update -g … --resource-type …` reaches the cluster
 * through the path azure-mgmt-resource builds, with its empty parent-resource-path segment.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { kubeletIdentifierUri } from '../../src/index.ts';
import { ACR, AKS, type ArmFixture, createBody, GROUPS, startArmFixture } from './arm-fixture.ts';

/** True while something accepts TCP connections on the port. */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('ARM: group delete, cluster tags and node pools, az resource paths', () => {
  let f: ArmFixture;
  before(async () => {
    f = await startArmFixture();
  });
  after(() => f?.close());

  const createCluster = async (group: string, name: string, body: object = createBody()) => {
    const created = await f.arm('PUT', `${f.cluster(group, name)}?${AKS}`, f.admin, body);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { seen } = await f.pollOperation(String(created.headers['azure-asyncoperation']));
    assert.equal(seen.at(-1), 'Succeeded', seen.join(' → '));
    return created;
  };

  test('az group delete: the group’s clusters (listeners stopped) and registries go, then the group; others stay', async () => {
    const made = await f.arm('PUT', `${f.sub}/resourcegroups/rg-doomed?${GROUPS}`, f.admin, {
      location: 'westeurope',
    });
    assert.equal(made.status, 201);
    await createCluster('rg-doomed', 'doomed-aks');
    await createCluster('rg-other', 'kept-aks');
    for (const [group, name] of [
      ['rg-doomed', 'doomedacr'],
      ['rg-other', 'keptacr01'],
    ] as const) {
      const registry = await f.arm('PUT', `${f.registry(group, name)}?${ACR}`, f.admin, {
        location: 'westeurope',
        sku: { name: 'Basic' },
      });
      assert.equal(registry.status, 201, JSON.stringify(registry.body));
    }
    const doomed = await f.stack.credless.store.getCluster(f.tid, 'rg-doomed', 'doomed-aks');
    assert.ok(doomed);
    const port = await f.stack.credless.store.getClusterApiPort(doomed.id);
    assert.ok(port !== undefined, 'the cluster’s API has a listener');
    assert.equal(await listening(port), true);

    const deleted = await f.arm('DELETE', `${f.sub}/resourcegroups/RG-DOOMED?${GROUPS}`, f.admin);
    assert.equal(deleted.status, 202, JSON.stringify(deleted.body));
    const location = new URL(String(deleted.headers.location));
    assert.equal((await f.arm('GET', `${location.pathname}${location.search}`, f.admin)).status, 200);

    assert.equal(await f.stack.credless.store.getCluster(f.tid, 'rg-doomed', 'doomed-aks'), undefined);
    assert.equal(
      await f.stack.credless.store.findApplicationByIdentifier(f.tid, kubeletIdentifierUri(doomed)),
      undefined,
      'the kubelet identity went with the cluster, as on a cluster DELETE',
    );
    assert.equal(
      await f.stack.credless.store.findApplicationByIdentifier(f.tid, 'https://doomedacr.azurecr.io'),
      undefined,
    );
    assert.equal(
      (await f.arm('GET', `${f.cluster('rg-doomed', 'doomed-aks')}?${AKS}`, f.admin)).body.error.code,
      'ResourceGroupNotFound',
    );
    const clusters = await f.arm(
      'GET',
      `${f.sub}/providers/Microsoft.ContainerService/managedClusters?${AKS}`,
      f.admin,
    );
    assert.deepEqual(
      clusters.body.value.map((c: { name: string }) => c.name),
      ['kept-aks'],
    );
    const registries = await f.arm(
      'GET',
      `${f.sub}/providers/Microsoft.ContainerRegistry/registries?${ACR}`,
      f.admin,
    );
    assert.deepEqual(
      registries.body.value.map((r: { name: string }) => r.name),
      ['keptacr01'],
    );
    // The listeners follow the directory: the deleted cluster's port stops answering.
    let open = true;
    for (let attempt = 0; attempt < 100 && open; attempt++) {
      open = await listening(port);
      if (open) await sleep(50);
    }
    assert.equal(open, false, `port ${port} still accepts connections`);

    const again = await f.arm('DELETE', `${f.sub}/resourcegroups/rg-doomed?${GROUPS}`, f.admin);
    assert.equal(again.status, 404);
    assert.equal(again.body.error.code, 'ResourceGroupNotFound');
  });

  test('a managed cluster keeps its tags, DNS prefix and node pools; az aks update --tags replaces the tags', async () => {
    const body = createBody({ dnsPrefix: 'tagged-rg-aks-1234' });
    const created = await createCluster('rg-aks', 'tagged-aks', { ...body, tags: { env: 'dev' } });
    assert.deepEqual(created.body.tags, { env: 'dev' });
    const shown = await f.arm('GET', `${f.cluster('rg-aks', 'tagged-aks')}?${AKS}`, f.admin);
    assert.deepEqual(shown.body.tags, { env: 'dev' });
    assert.equal(shown.body.properties.dnsPrefix, 'tagged-rg-aks-1234');
    // What `az aks update` reads back before it writes: without a network profile it refuses.
    assert.deepEqual(shown.body.properties.networkProfile, {
      networkPlugin: 'kubenet',
      loadBalancerSku: 'standard',
      outboundType: 'loadBalancer',
    });
    const [pool] = shown.body.properties.agentPoolProfiles;
    assert.deepEqual(
      [pool.name, pool.count, pool.vmSize, pool.mode],
      ['nodepool1', 3, 'Standard_DS2_v2', 'System'],
    );

    // `az aks update --tags k=v`: GET, set tags, PUT the whole object back.
    const updated = await f.arm('PUT', `${f.cluster('rg-aks', 'tagged-aks')}?${AKS}`, f.admin, {
      ...shown.body,
      tags: { k: 'v' },
    });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    assert.deepEqual(updated.body.tags, { k: 'v' });
    const listed = await f.arm(
      'GET',
      `${f.sub}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters?${AKS}`,
      f.admin,
    );
    const inList = listed.body.value.find((c: { name: string }) => c.name === 'tagged-aks');
    assert.deepEqual(inList.tags, { k: 'v' });
    assert.equal(inList.properties.agentPoolProfiles[0].count, 3);
    const generic = await f.arm(
      'GET',
      `${f.sub}/resources?$filter=name eq 'tagged-aks'&api-version=2021-04-01`,
      f.admin,
    );
    assert.deepEqual(generic.body.value[0].tags, { k: 'v' });

    // A PUT without tags clears them (ARM's PUT replaces); node pools are sub-resources and stay.
    const { tags: _tags, ...untagged } = shown.body;
    const { agentPoolProfiles: _pools, ...properties } = untagged.properties;
    const cleared = await f.arm('PUT', `${f.cluster('rg-aks', 'tagged-aks')}?${AKS}`, f.admin, {
      ...untagged,
      properties,
    });
    assert.equal(cleared.status, 200, JSON.stringify(cleared.body));
    assert.equal(cleared.body.tags, undefined);
    assert.equal(cleared.body.properties.agentPoolProfiles[0].vmSize, 'Standard_DS2_v2');
  });

  test('bad tags, DNS prefix or node pools: ARM’s error, nothing changed', async () => {
    const url = `${f.cluster('rg-aks', 'tagged-aks')}?${AKS}`;
    const before = (await f.arm('GET', url, f.admin)).body;
    const base = createBody({ dnsPrefix: 'tagged-rg-aks-1234' });
    const pool = { name: 'nodepool1', count: 3, vmSize: 'Standard_DS2_v2', mode: 'System' };
    const cases: Array<[string, unknown, number, string]> = [
      ['tags not an object', { ...base, tags: ['a'] }, 400, 'InvalidRequestContent'],
      ['a tag value not a string', { ...base, tags: { a: 1 } }, 400, 'InvalidRequestContent'],
      [
        '51 tags',
        { ...base, tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, 'v'])) },
        400,
        'InvalidRequestContent',
      ],
      ['another DNS prefix', createBody({ dnsPrefix: 'other-prefix' }), 400, 'InvalidParameter'],
      ['a DNS prefix with a dot', createBody({ dnsPrefix: 'a.b' }), 400, 'InvalidParameter'],
      [
        'pools not an array',
        createBody({ dnsPrefix: 'tagged-rg-aks-1234', agentPoolProfiles: {} }),
        400,
        'InvalidRequestContent',
      ],
      [
        'no pool',
        createBody({ dnsPrefix: 'tagged-rg-aks-1234', agentPoolProfiles: [] }),
        400,
        'InvalidParameter',
      ],
      [
        'a pool name in capitals',
        createBody({ dnsPrefix: 'tagged-rg-aks-1234', agentPoolProfiles: [{ ...pool, name: 'Pool1' }] }),
        400,
        'InvalidParameter',
      ],
      [
        'a negative count',
        createBody({ dnsPrefix: 'tagged-rg-aks-1234', agentPoolProfiles: [{ ...pool, count: -1 }] }),
        400,
        'InvalidParameter',
      ],
      [
        'a fractional count',
        createBody({ dnsPrefix: 'tagged-rg-aks-1234', agentPoolProfiles: [{ ...pool, count: 1.5 }] }),
        400,
        'InvalidParameter',
      ],
      [
        'no System pool',
        createBody({ dnsPrefix: 'tagged-rg-aks-1234', agentPoolProfiles: [{ ...pool, mode: 'User' }] }),
        400,
        'InvalidParameter',
      ],
      [
        'a pool twice',
        createBody({ dnsPrefix: 'tagged-rg-aks-1234', agentPoolProfiles: [pool, pool] }),
        400,
        'InvalidParameter',
      ],
      [
        'a VM size with a space',
        createBody({ dnsPrefix: 'tagged-rg-aks-1234', agentPoolProfiles: [{ ...pool, vmSize: 'a b' }] }),
        400,
        'InvalidParameter',
      ],
    ];
    for (const [what, body, status, code] of cases) {
      const answer = await f.arm('PUT', url, f.admin, {
        ...(body as object),
        tags: (body as { tags?: unknown }).tags ?? { changed: 'yes' },
      });
      assert.equal(answer.status, status, `${what}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.code, code, what);
      assert.equal(typeof answer.body.error.message, 'string');
    }
    // A new cluster refused for its body is not created either.
    const refused = await f.arm('PUT', `${f.cluster('rg-aks', 'never-aks')}?${AKS}`, f.admin, {
      ...createBody(),
      tags: 'x',
    });
    assert.equal(refused.status, 400);
    assert.equal(await f.stack.credless.store.getCluster(f.tid, 'rg-aks', 'never-aks'), undefined);
    assert.deepEqual((await f.arm('GET', url, f.admin)).body, before);
  });

  test('az resource update -g … -n … --resource-type Microsoft.ContainerService/managedClusters: the path az sends', async () => {
    // azure-mgmt-resource's template `…/providers/{namespace}/{parentResourcePath}/{type}/{name}` with an
    // empty parent path, the resource group lower-cased, and the newest stable api-version the provider lists.
    const path = `${f.sub}/resourcegroups/rg-aks/providers/Microsoft.ContainerService//managedClusters/tagged-aks?api-version=2024-09-01`;
    const got = await f.arm('GET', path, f.admin);
    assert.equal(got.status, 200, JSON.stringify(got.body));
    assert.equal(got.body.id, f.cluster('rg-aks', 'tagged-aks'));
    const put = await f.arm('PUT', path, f.admin, {
      ...got.body,
      tags: { team: 'a' },
      properties: { ...got.body.properties, securityProfile: { workloadIdentity: { enabled: true } } },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(put.body.tags, { team: 'a' });
    assert.equal(put.body.properties.securityProfile.workloadIdentity.enabled, true);

    // Only that one empty segment is ARM's: any other stays no route, in ARM's error shape.
    for (const bad of [
      `${f.sub}/resourcegroups/rg-aks//providers/Microsoft.ContainerService/managedClusters/tagged-aks`,
      `${f.sub}/resourcegroups/rg-aks/providers/Microsoft.ContainerService/managedClusters//tagged-aks`,
      `${f.sub}/resourcegroups/rg-aks/providers/Microsoft.ContainerService///managedClusters/tagged-aks`,
    ]) {
      const answer = await f.arm('PUT', `${bad}?api-version=2024-09-01`, f.admin, {
        ...got.body,
        tags: { no: 'no' },
      });
      assert.equal(answer.status, 404, `${bad}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.code, 'InvalidResourceType');
      assert.ok(answer.body.error.message);
    }
    assert.deepEqual((await f.arm('GET', path, f.admin)).body.tags, { team: 'a' });
  });
});
