/** `driftwatch iam-policy`: the least-privilege IAM policy of a role, from the monitors config. */
import { type Command, Option } from 'commander';
import { loadMonitorsConfig } from '../../config/monitors.js';
import { type IamRole, iamPolicy, iamRoles } from '../../security/iam-policy.js';

export function register(program: Command): void {
  program
    .command('iam-policy')
    .description('Print the minimal IAM policy (JSON) of a driftwatch role for the monitors of a config')
    .requiredOption('--config <file>', 'monitors config file (YAML or JSON)')
    .addOption(new Option('--role <role>', 'which role').choices(iamRoles).default('worker'))
    .option('--dataset <uri...>', 'baseline role: the training datasets it reads (not in the config)')
    .action(async (options: { config: string; role: IamRole; dataset?: string[] }) => {
      const config = await loadMonitorsConfig(options.config);
      const policy = iamPolicy(config, options.role, { datasets: options.dataset ?? [] });
      process.stdout.write(`${JSON.stringify(policy, null, 2)}\n`);
    });
}
