/**
 * The level's one door (functions/store/levels.ts): no other module builds a level row's or a hot
 * shard's key into a write; hot mode's terms stay in the door, the shard's key and the level's API
 * field (with the key table that documents the key); core/ speaks no DynamoDB.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [relative(root, p)] : [];
  });
}
const files = sources(join(root, 'functions'));
const text = (f: string) => readFileSync(join(root, f), 'utf8');

test('only the door builds the key of a level row or a hot shard (the key builders and the entity declaration name them)', () => {
  const builders = files.filter((f) => /keys\.level\(|keys\.hotShard\(|LevelEntity\.(row|indexUpdate)\(/.test(text(f)));
  expect(builders.sort()).toEqual(['functions/store/entities.ts', 'functions/store/levels.ts']);
  // and entities.ts only declares the key (LevelEntity), it writes nothing
  expect(text('functions/store/entities.ts')).not.toMatch(/UpdateCommand|PutCommand|DeleteCommand|TransactWrite/);
});

test('no module but the door writes a row by a level key it got from a read (PK and SK of a level)', () => {
  const writers = files.filter(
    (f) => f !== 'functions/store/levels.ts' && /levelPrefix/.test(text(f)) && /(Update|Put|Delete)Command|ConditionCheck:|Update: \{/.test(text(f)),
  );
  // items.ts reads its item partition (item + levels) and writes the item: it may name the prefix
  // for reading; no Update of a level row may be built there (checked by the key test above)
  expect(writers.filter((f) => !['functions/store/items.ts'].includes(f))).toEqual([]);
});

test('hot mode lives in three source files: the door, the shard key and the API field (and the key table that documents it)', () => {
  const hot = files.filter((f) => /hot_shards|hotShard|\ballot\b|parked/.test(text(f)));
  expect(hot.sort()).toEqual([
    'functions/core/schemas.ts', // the level's hot_shards field (request and response) and its bound
    'functions/store/key-builders.ts', // the shard's key
    'functions/store/keys.ts', // the access-pattern table documents the shard's key (a comment)
    'functions/store/levels.ts', // the door
  ]);
});

test('core/ speaks no DynamoDB: no client, no transaction types or labels, no action budgets, no publisher', () => {
  const core = files.filter((f) => f.startsWith('functions/core/'));
  const offenders = core.flatMap((f) => {
    const src = text(f);
    const found = [
      /from ['"][^'"]*store\/db\.ts['"]/.test(src) && 'imports store/db.ts',
      /from ['"]@aws-sdk\//.test(src) && 'imports the AWS SDK',
      /from ['"][^'"]*stream\/publisher\.ts['"]/.test(src) && 'imports the event publisher',
      /\bTx(Action|Cancelled)\b|\bCancellation\b|TransactWrite|MAX_TX_ACTIONS|TX_LIMIT/.test(src) && 'names transaction types or budgets',
      /\.failed\.(has|get)\(|\blabel\.split\(/.test(src) && 'reads transaction labels',
    ].filter(Boolean);
    return found.map((w) => `${f}: ${w}`);
  });
  expect(offenders).toEqual([]);
});
