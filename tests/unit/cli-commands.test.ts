/**
 * The lazily loaded command table (issue 15: `--help` and `--version` import no command module): the
 * top-level help built from the table equals the one the command modules register, and a command line
 * loads only its command (baseline analyses are imported when they run: cli/baselines/index.ts).
 */
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { commands, commandsToLoad, registerCommands } from '../../src/cli/commands/index.js';

function program(): Command {
  return new Command('driftwatch').description('test').version('0.0.0').exitOverride();
}

async function eagerProgram(): Promise<Command> {
  const p = program();
  for (const entry of commands) (await entry.load()).register(p);
  return p;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the command table', () => {
  it("states each command's name, summary and whether it has options as its module registers them", async () => {
    const eager = await eagerProgram();
    const registered = eager.commands.map((c) => ({
      name: c.name(),
      summary: c.description(),
      options: c.options.length > 0,
    }));
    const table = commands.map((c) => ({ name: c.name, summary: c.summary, options: c.options }));
    expect(table).toEqual(registered);
  });

  it('gives the same top-level help without loading any command module', async () => {
    const loads = commands.map((entry) => vi.spyOn(entry, 'load'));
    const lazy = program();
    await registerCommands(lazy, ['--help']);
    for (const load of loads) expect(load).not.toHaveBeenCalled();
    vi.restoreAllMocks();
    expect(lazy.helpInformation()).toBe((await eagerProgram()).helpInformation());
  });

  it('loads only the named command', () => {
    const names = (args: string[]) => commandsToLoad(args).map((c) => c.name);
    expect(names([])).toEqual([]);
    expect(names(['--version'])).toEqual([]);
    expect(names(['-h'])).toEqual([]);
    expect(names(['no-such-command'])).toEqual([]);
    expect(names(['clarify'])).toEqual([]);
    expect(names(['run', '--capture', 'x'])).toEqual(['run']);
    expect(names(['help', 'compare'])).toEqual(['compare']);
    expect(names(['baseline', '--analysis', 'bias'])).toEqual(['baseline']);
  });

  it("registers the named command's real options and stand-ins for the others", async () => {
    const p = program();
    await registerCommands(p, ['help', 'run']);
    const run = p.commands.find((c) => c.name() === 'run')!;
    expect(run.options.map((o) => o.long)).toContain('--capture');
    const worker = p.commands.find((c) => c.name() === 'worker')!;
    expect(worker.options.map((o) => o.long)).toEqual(['--options']);
  });
});
