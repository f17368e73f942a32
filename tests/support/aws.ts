/** Real AWS SDK clients pointed at the test moto_server, and unique bucket names. */
import { randomUUID } from 'node:crypto';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { inject } from 'vitest';

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export function awsEndpoint(): string {
  return inject('awsEndpoint');
}

export function testS3Client(): S3Client {
  return new S3Client({ endpoint: awsEndpoint(), region: 'us-east-1', forcePathStyle: true, credentials });
}

export function testCloudWatchClient(): CloudWatchClient {
  // moto_server 5 mis-decodes gzip request bodies: send them plain.
  return new CloudWatchClient({
    endpoint: awsEndpoint(),
    region: 'us-east-1',
    credentials,
    disableRequestCompression: true,
  });
}

/** Creates a fresh bucket named for the test and returns its name. */
export async function freshBucket(prefix = 'dw-test'): Promise<string> {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  await testS3Client().send(new CreateBucketCommand({ Bucket: name }));
  return name;
}
