/**
 * The CloudWatch client driftwatch uses: the SDK's default credential chain and region/endpoint settings
 * (`AWS_REGION`, `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_CLOUDWATCH`, read by the SDK itself), with the SDK's
 * own retries turned off because `callWithRetry` (retry.ts) retries every call with backoff and jitter.
 */
import { CloudWatchClient, type CloudWatchClientConfig } from '@aws-sdk/client-cloudwatch';
import { tagAwsErrors } from '../core/error-boundary.js';
import { awsRequestHandler } from '../io/aws-http.js';

export interface CloudWatchClientOptions {
  region?: string;
  endpoint?: string;
  /**
   * Send PutMetricData bodies uncompressed. The SDK gzips bodies over 10 KB by default; moto_server 5.2
   * decompresses such bodies twice and answers 500, so tests against moto turn compression off.
   */
  disableRequestCompression?: boolean;
  credentials?: CloudWatchClientConfig['credentials'];
}

export function createCloudWatchClient(options: CloudWatchClientOptions = {}): CloudWatchClient {
  const config: CloudWatchClientConfig = { maxAttempts: 1, requestHandler: awsRequestHandler() };
  if (options.region) config.region = options.region;
  if (options.endpoint) config.endpoint = options.endpoint;
  if (options.disableRequestCompression !== undefined)
    config.disableRequestCompression = options.disableRequestCompression;
  if (options.credentials) config.credentials = options.credentials;
  return tagAwsErrors(new CloudWatchClient(config), 'cloudwatch');
}
