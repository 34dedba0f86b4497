/** Variant ↔ inventory item links (variant links). A variant exists once it has a link. */
import { DomainError, notFound } from '../core/errors.ts';
import type { VariantLink } from '../core/model.ts';
import { RETRY, tableName, TxCancelled, withRetry, transactOrCancelled } from './db.ts';
import { Link, VariantEntity } from './entities.ts';
import * as keys from './key-builders.ts';
import { strip } from './keys.ts';
import { queryPartition } from './query.ts';

export interface Variant {
  product_id: string;
  links: VariantLink[];
}

export async function loadVariant(tenant: string, vid: string): Promise<Variant | undefined> {
  const rows = await queryPartition(keys.variantPartition(tenant, vid));
  const head = rows.find((r) => r.SK === 'VARIANT');
  const links = rows.filter((r) => String(r.SK).startsWith(keys.linkPrefix)).map((r) => strip<VariantLink>(r));
  if (!head || links.length === 0) return undefined;
  return { product_id: head.product_id as string, links };
}

export async function linksOfItem(tenant: string, iid: string): Promise<VariantLink[]> {
  const rows = await queryPartition(keys.linksOfItem(tenant, iid), { index: 'GSI1' });
  return rows.map((r) => strip<VariantLink>(r));
}

/**
 * Link an item to a variant. In one transaction: the variant belongs to this product (or has no
 * links yet), the link is new, and the item exists.
 */
export async function createLink(tenant: string, link: VariantLink): Promise<void> {
  const { variant_id: vid, inventory_item_id: iid, product_id: pid } = link;
  const refused = await transactOrCancelled([
    {
      label: 'variant',
      item: {
        Update: {
          TableName: tableName(),
          Key: keys.variant(tenant, vid),
          UpdateExpression: 'SET product_id = :pid, variant_id = :vid, entity = :e ADD link_count :one',
          ConditionExpression: 'attribute_not_exists(PK) OR product_id = :pid OR link_count = :zero',
          ExpressionAttributeValues: { ':pid': pid, ':vid': vid, ':e': VariantEntity.name, ':one': 1, ':zero': 0 },
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
  if (refused) {
    const f = refused.failed;
    if (f.has('item')) throw notFound('Inventory item', iid, 'INVENTORY_NOT_FOUND');
    if (f.has('variant')) throw new DomainError('CONFLICT', `Variant ${vid} belongs to another product`);
    if (f.has('link')) throw new DomainError('DUPLICATE', `Inventory item ${iid} is already linked to variant ${vid}`);
    throw new TxCancelled(refused);
  }
}

export async function updateLink(tenant: string, pid: string, vid: string, iid: string, requiredQuantity: number, now: string): Promise<void> {
  const refused = await transactOrCancelled([
    {
      label: 'link',
      item: {
        Update: {
          TableName: tableName(),
          Key: keys.link(tenant, vid, iid),
          UpdateExpression: 'SET required_quantity = :q, updated_at = :now',
          ConditionExpression: 'attribute_exists(PK) AND product_id = :pid',
          ExpressionAttributeValues: { ':q': requiredQuantity, ':now': now, ':pid': pid },
        },
      },
    },
  ]);
  if (refused) throw linkNotFound(vid, iid);
}

export async function deleteLink(tenant: string, pid: string, vid: string, iid: string): Promise<void> {
  await withRetry(async () => {
    const refused = await transactOrCancelled([
      {
        label: 'link',
        item: {
          Delete: {
            TableName: tableName(),
            Key: keys.link(tenant, vid, iid),
            ConditionExpression: 'attribute_exists(PK) AND product_id = :pid',
            ExpressionAttributeValues: { ':pid': pid },
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
