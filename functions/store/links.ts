/** Variant ↔ inventory item links (variant links). A variant exists once it has a link. */
import { DomainError, notFound } from '../core/errors.ts';
import type { VariantLink } from '../core/model.ts';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, RETRY, tableName, TxCancelled, withRetry, transactOrCancelled } from './db.ts';
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

const linkNotFound = (vid: string, iid: string) => new DomainError('NOT_FOUND', `Variant ${vid} has no link to inventory item ${iid}`);
