export * from './aggregate.js';
export * from './ndcg.js';
