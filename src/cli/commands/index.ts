/** Every CLI command, registered in this order (one import and one list entry per command). */
import type { Command } from 'commander';
import { register as alarms } from './alarms.js';
import { register as backfill } from './backfill.js';
import { register as baseline } from './baseline.js';
import { register as clarify } from './clarify.js';
import { register as compare } from './compare.js';
import { register as dashboard } from './dashboard.js';
import { register as demo } from './demo.js';
import { register as iamPolicy } from './iam-policy.js';
import { register as report } from './report.js';
import { register as run } from './run.js';
import { register as runQuality } from './run-quality.js';
import { register as scan } from './scan.js';
import { register as schedule } from './schedule.js';
import { register as status } from './status.js';
import { register as worker } from './worker.js';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  demo,
  baseline,
  compare,
  run,
  alarms,
  runQuality,
  schedule,
  worker,
  backfill,
  status,
  report,
  scan,
  dashboard,
  clarify,
  iamPolicy,
];
