/**
 * Which stream shards the local runner may read now (lib/local/stream-poller.ts, readyShards): every
 * shard not finished whose parent is finished, so shards run side by side but a child only after its
 * parent ("an application must always process a parent shard before it processes a child shard",
 * DynamoDB Developer Guide, Streams). DynamoDB Local gives a stream one shard that never splits, so
 * the lineage is proven on the rule itself.
 */
import { readyShards } from '../../lib/local/stream-poller.ts';

const lineage = () =>
  new Map(
    [
      { id: 'root' },
      { id: 'left', parent: 'root' },
      { id: 'right', parent: 'root' },
      { id: 'left-child', parent: 'left' },
      { id: 'orphan', parent: 'trimmed-away' }, // its parent is gone from the stream (past 24 h)
      { id: 'other-root' },
    ].map((s) => [s.id, s] as const),
  );

test('shards without an unfinished parent run side by side; children wait for their parent, grandchildren for theirs', () => {
  const shards = lineage();
  const done = new Set<string>();
  const ready = () => readyShards(shards, (s) => done.has(s.id)).map((s) => s.id);
  expect(ready()).toEqual(['root', 'orphan', 'other-root']);
  done.add('root');
  expect(ready()).toEqual(['left', 'right', 'orphan', 'other-root']);
  done.add('left');
  expect(ready()).toEqual(['right', 'left-child', 'orphan', 'other-root']);
  for (const id of shards.keys()) done.add(id);
  expect(ready()).toEqual([]);
});
