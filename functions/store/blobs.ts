/**
 * Files (reports, later uploads) behind one interface: S3 when deployed (BLOB_BUCKET), a local
 * folder otherwise (INVENTORY_BLOB_DIR, default .local/blobs).
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

let s3: S3Client | undefined;
const localDir = () => resolve(process.env.INVENTORY_BLOB_DIR ?? '.local/blobs');

export async function putBlob(key: string, body: string, contentType: string): Promise<void> {
  const bucket = process.env.BLOB_BUCKET;
  if (bucket) {
    s3 ??= new S3Client({});
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
    return;
  }
  const file = join(localDir(), key);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, body);
}

export async function getBlob(key: string): Promise<string | undefined> {
  const bucket = process.env.BLOB_BUCKET;
  if (bucket) {
    s3 ??= new S3Client({});
    try {
      const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return await res.Body!.transformToString('utf8');
    } catch (err) {
      if ((err as Error).name === 'NoSuchKey') return undefined;
      throw err;
    }
  }
  const file = join(localDir(), key);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}
