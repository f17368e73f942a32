/** The monitors config file and schedules (validated once, at the edge). */
export * from './alarms.js';
export * from './monitors.js';
export * from './schedule.js';
