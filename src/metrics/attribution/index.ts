export * from './agg-methods.js';
export * from './aggregate.js';
export * from './ndcg.js';
