/**
 * The sweep's own S3 bucket (in the hub account, written only by the sweep's roles and Step Functions): a run's
 * shards for the Distributed Map to read, the Map's results, and what a summary leaves to resume.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { RETRY } from './clients';

let client: S3Client | undefined;
const s3 = (): S3Client => (client ??= new S3Client(RETRY));

/** The object's text. @throws the SDK's error (NoSuchKey, AccessDenied) */
export async function getText(bucket: string, key: string): Promise<string> {
  const object = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (object.Body === undefined) throw new Error(`s3://${bucket}/${key} has no body`);
  return object.Body.transformToString('utf8');
}

/** Writes `value` as JSON, encrypted with the bucket's key (its default encryption). */
export async function putJson(bucket: string, key: string, value: unknown): Promise<void> {
  await s3().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(value), ContentType: 'application/json' }));
}
