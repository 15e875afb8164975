/**
 * `regimen strategies`: the strategies a run can name, through the same requests as the app's strategy
 * picker (the owner's when one holds the data folder), each with its version, where it comes from, its
 * parameters (default, search range, what a backtest accepts) and the rules between them; `--reload`
 * has the owner read the folder's strategy files again, as the picker's reload does.
 */
import { constraintText } from '../../../../core/strategy-api/constraints.ts';
import type { RequestOutput } from '../../../../shared/contract.ts';
import { strategyProblemText } from '../../../../shared/userStrategy.ts';
import { openBackend } from '../../backend.ts';
import type { Command } from '../../command.ts';
import { table, toJson } from '../../format.ts';

type State = RequestOutput<'strategies:reload'>;

function strategyText(strategy: State['strategies'][number]): string {
  const title = `${strategy.name} ${strategy.version} (${strategy.file ?? 'built in'}): ${strategy.description}`;
  if (strategy.params.length === 0) return `${title}\n  no parameters`;
  const lines = [
    title,
    table(
      [
        ['  parameter', 'type', 'default', 'search range', 'accepted', 'description'],
        ...strategy.params.map((param) => [
          `  ${param.name}`,
          param.type,
          String(param.default),
          `${param.min}..${param.max}${param.step === undefined ? '' : ` step ${param.step}`}`,
          `${param.limits.min}..${param.limits.max}`,
          param.description,
        ]),
      ],
      true,
    ),
  ];
  if (strategy.constraints.length > 0)
    lines.push(`  rules: ${strategy.constraints.map((rule) => constraintText(rule)).join(', ')}`);
  return lines.join('\n');
}

export const strategiesCommand: Command = {
  usage: '[--reload] [--data-dir DIR] [--json]',
  options: { reload: { type: 'boolean' } },
  async run(args, io) {
    const backend = await openBackend(args);
    let state: State;
    try {
      state =
        args.values['reload'] === true
          ? await backend.request('strategies:reload', {})
          : {
              strategies: await backend.request('strategies:list', {}),
              problems: await backend.request('strategies:problems', {}),
            };
    } finally {
      await backend.close();
    }
    if (args.values['json'] === true) {
      io.out(toJson(state));
      return 0;
    }
    io.out(state.strategies.map(strategyText).join('\n\n'));
    // This process already said which files it left out (main.ts); an owner's own answer may differ.
    if (backend.owner !== null)
      for (const problem of state.problems)
        io.err(`${backend.owner} left out a strategy file: ${strategyProblemText(problem)}\n`);
    return 0;
  },
};
