/**
 * BullMQ's classes and its Redis client (ioredis), loaded with `require`. Both ship CommonJS only, and an ES
 * module importing them makes Node lex every file they re-export to find the export names: ~140 ms of CPU,
 * a sixth of a worker's start-up, paid again by every process that replaces a dead worker. `require` loads
 * the same classes without that. Types still come from `import type ... from 'bullmq'` (or 'ioredis').
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const bullmq: typeof import('bullmq') = require('bullmq');
const ioredis: typeof import('ioredis') = require('ioredis');

export const {
  DelayedError,
  Queue: QueueClass,
  UnrecoverableError,
  WaitingChildrenError,
  Worker: WorkerClass,
} = bullmq;
export const { Redis: RedisClass } = ioredis;
