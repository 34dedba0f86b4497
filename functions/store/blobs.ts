/**
 * Files (reports, uploads) behind one interface: S3 when deployed (BLOB_BUCKET), a local
 * folder otherwise (INVENTORY_BLOB_DIR, default .local/blobs).
 */
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';

let client: Promise<{ s3: S3Client; sdk: typeof import('@aws-sdk/client-s3') }> | undefined;
/** The S3 client, loaded on first use: most functions never touch S3, and its import costs cold-start time. */
const s3 = () => (client ??= import('@aws-sdk/client-s3').then((sdk) => ({ sdk, s3: new sdk.S3Client({}) })));
const localDir = () => resolve(process.env.INVENTORY_BLOB_DIR ?? '.local/blobs');

export async function putBlob(key: string, body: string, contentType: string): Promise<void> {
  const bucket = process.env.BLOB_BUCKET;
  if (bucket) {
    const { s3: c, sdk } = await s3();
    await c.send(new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
    return;
  }
  const file = join(localDir(), key);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, body);
}

export async function getBlob(key: string): Promise<string | undefined> {
  const bucket = process.env.BLOB_BUCKET;
  if (bucket) {
    const { s3: c, sdk } = await s3();
    try {
      const res = await c.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
      return await res.Body!.transformToString('utf8');
    } catch (err) {
      if ((err as Error).name === 'NoSuchKey') return undefined;
      throw err;
    }
  }
  const file = join(localDir(), key);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** A file read as a byte stream from `offset` on (S3 Range when deployed): an upload is never loaded whole. */
export async function readBlobStream(key: string, offset = 0): Promise<AsyncIterable<Uint8Array> | undefined> {
  const bucket = process.env.BLOB_BUCKET;
  if (bucket) {
    const { s3: c, sdk } = await s3();
    try {
      const res = await c.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key, ...(offset ? { Range: `bytes=${offset}-` } : {}) }));
      return res.Body as AsyncIterable<Uint8Array>;
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'NoSuchKey') return undefined;
      if (name === 'InvalidRange') return (async function* () {})(); // offset at the end of the file
      throw err;
    }
  }
  const file = join(localDir(), key);
  if (!existsSync(file)) return undefined;
  return createReadStream(file, { start: offset, highWaterMark: 256 * 1024 });
}

/** Locally: store an uploaded file from a stream (deployed, the client PUTs to S3 itself). */
export async function writeLocalBlobStream(key: string, body: NodeJS.ReadableStream): Promise<number> {
  const file = join(localDir(), key);
  mkdirSync(dirname(file), { recursive: true });
  const out = createWriteStream(file);
  await pipeline(body, out);
  return statSync(file).size;
}

/** Where a client PUTs a file: a presigned S3 URL when deployed; the local runtime's own URL locally. */
export async function uploadUrl(key: string, expiresInSeconds: number, local: () => string): Promise<string> {
  const bucket = process.env.BLOB_BUCKET;
  if (!bucket) return local();
  const [{ s3: c, sdk }, { getSignedUrl }] = await Promise.all([s3(), import('@aws-sdk/s3-request-presigner')]);
  return getSignedUrl(c, new sdk.PutObjectCommand({ Bucket: bucket, Key: key, ContentType: 'text/csv' }), { expiresIn: expiresInSeconds });
}
