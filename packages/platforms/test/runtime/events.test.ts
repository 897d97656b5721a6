/**
 * A cluster's change history and Events (runtime/events.ts): one resourceVersion counter, an object
 * ADDED once whatever the caller reported, identical MODIFIEDs dropped, a watch replaying what came
 * after a list's version (or told it expired), repeated Events counted as kube does.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ClusterEvents, type ObjectChange } from '../../src/runtime/events.ts';

const pod = (name: string, phase: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  status: { phase },
});

describe('cluster events', () => {
  test('changes take increasing versions; ADDED once, identical MODIFIED dropped, DELETED ends it', () => {
    const events = new ClusterEvents();
    const seen: ObjectChange[] = [];
    const unsubscribe = events.subscribe((change) => seen.push(change));
    events.changed('MODIFIED', 'pods', pod('a', 'Pending')); // unknown: ADDED
    events.changed('ADDED', 'pods', pod('a', 'Pending')); // known and identical: nothing
    events.changed('ADDED', 'pods', pod('a', 'Running')); // known: MODIFIED
    events.changed('MODIFIED', 'pods', pod('a', 'Running')); // identical: nothing
    events.changed('DELETED', 'pods', pod('a', 'Running'));
    events.changed('MODIFIED', 'pods', pod('a', 'Pending')); // gone, then back: ADDED
    unsubscribe();
    events.changed('MODIFIED', 'pods', pod('a', 'Failed'));
    assert.deepEqual(
      seen.map((c) => `${c.type} ${c.resourceVersion} ${c.object.metadata['resourceVersion']}`),
      ['ADDED 1 1', 'MODIFIED 2 2', 'DELETED 3 3', 'ADDED 4 4'],
    );
    assert.equal(events.versions.current, '5');
    assert.equal(events.versionOf('pods', 'default', 'a'), '5');
  });

  test('a watch from a version replays what came after it; one older than the history has expired', () => {
    const events = new ClusterEvents();
    for (let i = 0; i < 5000; i++) events.changed('MODIFIED', 'pods', pod('a', `phase-${i}`));
    assert.deepEqual(
      events.since(4998)?.map((c) => c.resourceVersion),
      [4999, 5000],
    );
    assert.deepEqual(events.since(5000), []);
    assert.equal(events.since(10), undefined, 'compacted away');
    const oldest = Number(events.oldestVersion);
    assert.ok(oldest > 10 && oldest < 5000);
    assert.equal(events.since(oldest)?.length, 5000 - oldest);
    assert.equal(events.since(oldest - 1), undefined);
  });

  test('the counter moves past versions seen in saved objects', () => {
    const events = new ClusterEvents();
    events.versions.observe('41');
    events.versions.observe('not a number');
    events.versions.observe('7');
    assert.equal(events.changed('ADDED', 'pods', pod('a', 'Pending'))?.resourceVersion, 42);
  });

  test('Events: the same reason and message for the same object counts up; others are new', () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const events = new ClusterEvents(() => now);
    const involved = { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'web', uid: 'u1' };
    events.record(
      { ...involved, fieldPath: 'spec.containers{app}' },
      'Warning',
      'BackOff',
      'Back-off restarting',
    );
    now += 5000;
    events.record(
      { ...involved, fieldPath: 'spec.containers{app}' },
      'Warning',
      'BackOff',
      'Back-off restarting',
    );
    events.record(
      involved,
      'Normal',
      'Scheduled',
      'Successfully assigned default/web to credless-local',
      'default-scheduler',
    );
    events.record(
      { ...involved, namespace: 'other' },
      'Normal',
      'Scheduled',
      'elsewhere',
      'default-scheduler',
    );
    const listed = events.events('default');
    assert.equal(listed.length, 2);
    const backOff = listed.find((e) => e['reason'] === 'BackOff') as Record<string, unknown>;
    assert.equal(backOff['count'], 2);
    assert.equal(backOff['firstTimestamp'], '2026-01-01T00:00:00Z');
    assert.equal(backOff['lastTimestamp'], '2026-01-01T00:00:05Z');
    assert.equal(backOff['type'], 'Warning');
    assert.deepEqual(backOff['involvedObject'], { ...involved, fieldPath: 'spec.containers{app}' });
    assert.deepEqual(backOff['source'], { component: 'kubelet', host: 'credless-local' });
    const scheduled = listed.find((e) => e['reason'] === 'Scheduled') as Record<string, unknown>;
    assert.deepEqual(scheduled['source'], { component: 'default-scheduler' });
    assert.equal(events.events().length, 3);
  });
});
