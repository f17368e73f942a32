/** BullMQ: queue names, typed payloads, schedulers, processors, flows, the worker service. */
export * from './ids.js';
export * from './kinds.js';
export * from './payloads.js';
export * from './processor.js';
export * from './queue.js';
export * from './redis.js';
export * from './service.js';
export * from './status.js';
export * from './ticks.js';
