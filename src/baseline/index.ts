export {
  type BaselineOptions,
  type BaselineResult,
  buildBaseline,
  profileDataset,
  profileWarnings,
} from './build.js';
export {
  type Constraints,
  defaultMonitoringConfig,
  type FeatureConstraint,
  type FeatureOverrides,
  type MonitoringConfig,
  parseConstraints,
  renderConstraints,
  suggestConstraints,
} from './constraints.js';
export { type Baseline, readBaseline, readConstraints, readStatistics } from './read.js';
export {
  categoriesOf,
  type FeatureStatistics,
  kllBuckets,
  parseStatistics,
  renderStatistics,
  type Statistics,
  sketchOf,
  statisticsFromProfile,
} from './statistics.js';
