/** Variant ↔ inventory item links (variant links). A variant exists once it has a link. */
import { DomainError, notFound, validation } from '../core/errors.ts';
import type { VariantLink } from '../core/model.ts';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, RETRY, tableName, TX_LIMIT, TxCancelled, withRetry, transactOrCancelled } from './db.ts';
import type { Cancellation, TxAction } from './db.ts';
import { Link, VariantEntity } from './entities.ts';
import * as keys from './key-builders.ts';
import { strip } from './keys.ts';
import { queryPartition } from './query.ts';

export interface Variant {
  product_id: string;
  links: VariantLink[];
}

/**
 * A variant with its links; undefined when it has none (holds and availability need a link). With
 * `keepEmpty`, a variant whose last link is gone is still found, with `links: []` (the admin GET:
 * Medusa's variant outlives its links); one never linked is not (products are not managed here).
 */
export async function loadVariant(tenant: string, vid: string, keepEmpty = false): Promise<Variant | undefined> {
  const rows = await queryPartition(keys.variantPartition(tenant, vid));
  const head = rows.find((r) => r.SK === 'VARIANT');
  const links = rows.filter((r) => String(r.SK).startsWith(keys.linkPrefix)).map((r) => strip<VariantLink>(r));
  if (!head || (links.length === 0 && !keepEmpty)) return undefined;
  return { product_id: head.product_id as string, links };
}

export async function linksOfItem(tenant: string, iid: string): Promise<VariantLink[]> {
  const rows = await queryPartition(keys.linksOfItem(tenant, iid), { index: 'GSI1' });
  return rows.map((r) => strip<VariantLink>(r));
}

/**
 * Link an item to a variant, as Medusa does: the product id of the path is not checked (a variant id
 * names one variant; its product is the one it was first linked under), and linking an item that is
 * already linked is accepted — `required_quantity`, when given, is set on the existing link (when not,
 * the link is left as it is). A new link, in one transaction: the link is new, the item exists, the
 * variant's link count goes up. An existing one: one conditional update of the link.
 * Answers whether the link was new.
 */
export async function createLink(tenant: string, link: VariantLink, requiredGiven: boolean): Promise<boolean> {
  const { variant_id: vid, inventory_item_id: iid, product_id: pid } = link;
  return withRetry(async () => {
    const refused = await transactOrCancelled([
      {
        label: 'variant',
        item: {
          Update: {
            TableName: tableName(),
            Key: keys.variant(tenant, vid),
            UpdateExpression: 'SET product_id = if_not_exists(product_id, :pid), variant_id = :vid, entity = :e ADD link_count :one',
            ExpressionAttributeValues: { ':pid': pid, ':vid': vid, ':e': VariantEntity.name, ':one': 1 },
          },
        },
      },
      {
        label: 'link',
        item: {
          Put: {
            TableName: tableName(),
            Item: Link.row(tenant, link),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      },
      {
        label: 'item',
        item: { ConditionCheck: { TableName: tableName(), Key: keys.item(tenant, iid), ConditionExpression: 'attribute_exists(PK)' } },
      },
    ]);
    if (!refused) return true;
    const f = refused.failed;
    if (f.has('item')) throw notFound('Inventory item', iid, 'INVENTORY_NOT_FOUND');
    if (!f.has('link')) throw new TxCancelled(refused);
    // already linked: accepted (Medusa); the quantity given is set, nothing else changes
    if (!requiredGiven) return false;
    try {
      await db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.link(tenant, vid, iid),
          UpdateExpression: 'SET required_quantity = :q, updated_at = :now',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':q': link.required_quantity, ':now': link.updated_at },
        }),
      );
      return false;
    } catch (err) {
      // unlinked meanwhile: link it afresh
      if ((err as { name?: string }).name === 'ConditionalCheckFailedException') return RETRY;
      throw err;
    }
  });
}

/** Change a link's required_quantity (the path's product id is not checked, as Medusa). */
export async function updateLink(tenant: string, vid: string, iid: string, requiredQuantity: number, now: string): Promise<void> {
  const refused = await transactOrCancelled([
    {
      label: 'link',
      item: {
        Update: {
          TableName: tableName(),
          Key: keys.link(tenant, vid, iid),
          UpdateExpression: 'SET required_quantity = :q, updated_at = :now',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':q': requiredQuantity, ':now': now },
        },
      },
    },
  ]);
  if (refused) throw linkNotFound(vid, iid);
}

/** Remove a link (the path's product id is not checked, as Medusa). */
export async function deleteLink(tenant: string, vid: string, iid: string): Promise<void> {
  await withRetry(async () => {
    const refused = await transactOrCancelled([
      {
        label: 'link',
        item: {
          Delete: {
            TableName: tableName(),
            Key: keys.link(tenant, vid, iid),
            ConditionExpression: 'attribute_exists(PK)',
          },
        },
      },
      {
        label: 'variant',
        item: {
          Update: {
            TableName: tableName(),
            Key: keys.variant(tenant, vid),
            UpdateExpression: 'ADD link_count :m',
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeValues: { ':m': -1 },
          },
        },
      },
    ]);
    if (!refused) return true;
    if (refused.failed.has('link')) throw linkNotFound(vid, iid);
    return RETRY;
  });
}

const linkNotFound = (vid: string, iid: string, field?: string) =>
  field
    ? new DomainError('NOT_FOUND', `${field}: Variant ${vid} has no link to inventory item ${iid}`, [{ field, message: 'no such link' }])
    : new DomainError('NOT_FOUND', `Variant ${vid} has no link to inventory item ${iid}`);

export interface LinkBatchOp {
  variant_id: string;
  inventory_item_id: string;
  required_quantity?: number;
  /** The operation in the request (`create[0]`), for its answer. */
  field: string;
}

/**
 * Medusa's link batch in ONE transaction (all or nothing): creations (a new link Put, or — linked
 * already, as Medusa accepts — its required_quantity set), changes and removals of existing links,
 * each variant's head once (its link count moved by the sum), each item checked once. The links read
 * before decide Put or Update; each write's condition holds that reading, so a link made or removed
 * meanwhile refuses the transaction and it is planned again. `pid`: the product a new variant is
 * filed under (the path's; an existing variant keeps its own).
 */
export async function batchLinks(
  tenant: string,
  pid: string,
  ops: { create: LinkBatchOp[]; update: LinkBatchOp[]; delete: LinkBatchOp[] },
  now: string,
  makeId: () => string,
) {
  const all = [...ops.create, ...ops.update, ...ops.delete];
  const seen = new Map<string, string>();
  for (const op of all) {
    const k = `${op.variant_id}\u0000${op.inventory_item_id}`;
    const first = seen.get(k);
    if (first) throw validation(op.field, `names the link of ${op.variant_id} and ${op.inventory_item_id} again (${first}): one operation per link in a batch`);
    seen.set(k, op.field);
  }
  if (!all.length) return;
  await withRetry(async () => {
    const vids = [...new Set(all.map((o) => o.variant_id))];
    const variants = new Map(await Promise.all(vids.map(async (vid) => [vid, await loadVariant(tenant, vid, true)] as const)));
    const linked = (o: LinkBatchOp) => !!variants.get(o.variant_id)?.links.some((l) => l.inventory_item_id === o.inventory_item_id);
    const actions: TxAction[] = [];
    const answers: ((f: Cancellation['failed']) => DomainError | undefined)[] = [];
    const heads = new Map<string, { delta: number; removes: boolean }>();
    const head = (vid: string, delta: number) => {
      const h = heads.get(vid) ?? { delta: 0, removes: false };
      h.delta += delta;
      h.removes ||= delta < 0;
      heads.set(vid, h);
    };
    const items = new Map<string, string>();
    for (const [i, o] of ops.create.entries()) {
      const label = `create:${i}`;
      if (linked(o)) {
        actions.push(requiredUpdate(tenant, o, now, label));
      } else {
        const link: VariantLink = {
          id: makeId(),
          product_id: variants.get(o.variant_id)?.product_id ?? pid,
          variant_id: o.variant_id,
          inventory_item_id: o.inventory_item_id,
          required_quantity: o.required_quantity ?? 1,
          created_at: now,
          updated_at: now,
        };
        actions.push({ label, item: { Put: { TableName: tableName(), Item: Link.row(tenant, link), ConditionExpression: 'attribute_not_exists(PK)' } } });
        head(o.variant_id, 1);
        if (!items.has(o.inventory_item_id)) items.set(o.inventory_item_id, o.field);
      }
    }
    for (const [i, o] of ops.update.entries()) {
      if (!linked(o)) throw linkNotFound(o.variant_id, o.inventory_item_id, o.field);
      const label = `update:${i}`;
      actions.push(requiredUpdate(tenant, o, now, label));
      answers.push((f) => (f.has(label) && !f.get(label) ? linkNotFound(o.variant_id, o.inventory_item_id, o.field) : undefined));
    }
    for (const [i, o] of ops.delete.entries()) {
      if (!linked(o)) throw linkNotFound(o.variant_id, o.inventory_item_id, o.field);
      const label = `delete:${i}`;
      actions.push({
        label,
        item: { Delete: { TableName: tableName(), Key: keys.link(tenant, o.variant_id, o.inventory_item_id), ConditionExpression: 'attribute_exists(PK)' } },
      });
      head(o.variant_id, -1);
      answers.push((f) => (f.has(label) && !f.get(label) ? linkNotFound(o.variant_id, o.inventory_item_id, o.field) : undefined));
    }
    for (const [vid, h] of heads) {
      actions.push({
        label: `variant:${vid}`,
        item: {
          Update: {
            TableName: tableName(),
            Key: keys.variant(tenant, vid),
            UpdateExpression: 'SET product_id = if_not_exists(product_id, :pid), variant_id = :vid, entity = :e ADD link_count :d',
            ...(h.removes ? { ConditionExpression: 'attribute_exists(PK)' } : {}),
            ExpressionAttributeValues: { ':pid': pid, ':vid': vid, ':e': VariantEntity.name, ':d': h.delta },
          },
        },
      });
    }
    for (const [iid, field] of items) {
      const label = `item:${iid}`;
      actions.push({ label, item: { ConditionCheck: { TableName: tableName(), Key: keys.item(tenant, iid), ConditionExpression: 'attribute_exists(PK)' } } });
      answers.unshift((f) => (f.has(label) ? atLinkField(field, notFound('Inventory item', iid, 'INVENTORY_NOT_FOUND')) : undefined));
    }
    if (actions.length > TX_LIMIT) {
      throw validation(
        'create, update, delete',
        `this batch needs ${actions.length} writes in one transaction; at most ${TX_LIMIT} fit: send it as smaller batches`,
      );
    }
    const refused = await transactOrCancelled(actions);
    if (!refused) return true;
    for (const answer of answers) {
      const a = answer(refused.failed);
      if (a) throw a;
    }
    return RETRY; // a link made or removed meanwhile: read again
  });
}

function requiredUpdate(tenant: string, o: LinkBatchOp, now: string, label: string): TxAction {
  return {
    label,
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.link(tenant, o.variant_id, o.inventory_item_id),
        UpdateExpression: 'SET required_quantity = :q, updated_at = :now',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':q': o.required_quantity ?? 1, ':now': now },
      },
    },
  };
}

const atLinkField = (field: string, err: DomainError) => new DomainError(err.code, `${field}: ${err.message}`, [{ field, message: err.message }]);
