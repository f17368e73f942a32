/**
 * Starts the real services the integration tests talk to, unless the environment already names them:
 * - Redis: `REDIS_URL`, else a `redis-server` on a free port (no persistence), stopped afterwards.
 * - AWS (S3, CloudWatch): `AWS_ENDPOINT_URL`, else `moto_server` on a free port, stopped afterwards.
 * The URLs reach the tests through `inject('redisUrl')` / `inject('awsEndpoint')` and the environment.
 */
import type { TestProject } from 'vitest/node';
import { type RunningService, startMoto, startRedis } from './services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    awsEndpoint: string;
  }
}

const running: RunningService[] = [];

export async function setup(project: TestProject): Promise<void> {
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const redis = await startRedis();
    running.push(redis);
    redisUrl = redis.url;
  }
  let awsEndpoint = process.env.AWS_ENDPOINT_URL;
  if (!awsEndpoint) {
    const moto = await startMoto();
    running.push(moto);
    awsEndpoint = moto.url;
  }
  process.env.REDIS_URL = redisUrl;
  process.env.AWS_ENDPOINT_URL = awsEndpoint;
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'testing';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'testing';
  project.provide('redisUrl', redisUrl);
  project.provide('awsEndpoint', awsEndpoint);
}

export async function teardown(): Promise<void> {
  await Promise.all(running.splice(0).map((s) => s.stop()));
}
