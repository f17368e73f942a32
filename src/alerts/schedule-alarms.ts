/** The CloudWatch alarms watching one schedule's metrics (`driftwatch lineage`). */
import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';

export interface ScheduleAlarm {
  name: string;
  metric: string;
  namespace: string;
  state: string;
}

/**
 * Every metric alarm whose dimensions name `schedule` (and `endpoint`, when they have an `Endpoint`),
 * sorted by name.
 */
export async function alarmsOfSchedule(
  cloudwatch: CloudWatchClient,
  endpoint: string,
  schedule: string,
): Promise<ScheduleAlarm[]> {
  const alarms: ScheduleAlarm[] = [];
  let token: string | undefined;
  do {
    const page = await cloudwatch.send(new DescribeAlarmsCommand({ NextToken: token, MaxRecords: 100 }));
    for (const a of page.MetricAlarms ?? []) {
      const dims = new Map((a.Dimensions ?? []).map((d) => [d.Name, d.Value]));
      if (dims.get('MonitoringSchedule') !== schedule) continue;
      if (dims.has('Endpoint') && dims.get('Endpoint') !== endpoint) continue;
      alarms.push({
        name: a.AlarmName ?? '',
        metric: a.MetricName ?? '',
        namespace: a.Namespace ?? '',
        state: a.StateValue ?? '',
      });
    }
    token = page.NextToken;
  } while (token);
  alarms.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return alarms;
}
