import type { OptimizeImportanceResult, StudyDetail } from '../../../../shared/optimizeContract.ts';
import { numberOption, stringOption, UsageError } from '../../args.ts';
import { openBackend } from '../../backend.ts';
import type { Command } from '../../command.ts';
import type { TimeFormat } from '../../../../shared/timeZone.ts';
import { formatMetric, metricLabel, table, timeFormatFrom, toJson } from '../../format.ts';
import { studyWarmUpText } from '../../../../shared/warmupText.ts';
import { objectiveLabel } from './optimize.ts';
import { perRegimeLines } from './perRegime.ts';

function paramsText(params: Readonly<Record<string, unknown>>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

function detailLines(detail: StudyDetail, time: TimeFormat): string[] {
  const s = detail.summary;
  const lines = [
    `Study ${s.id} (${s.name}): ${s.state}, ${s.trialsDone}/${s.trialsTotal} trials, ${s.strategy} on ${s.symbol}${s.session === 'extended' ? ' (extended hours)' : ''}, sampler ${s.sampler}, seed ${s.seed}`,
  ];
  if (s.note !== '') lines.push(`Note: ${s.note}`);
  // As optimize's own report says it: where a trial's score is measured from.
  lines.push(`Warm-up: ${studyWarmUpText(detail.warmUp)}.`);
  if (detail.best !== null) {
    const first = s.objectives[0];
    const value = detail.best.values?.[0];
    lines.push(
      `Best: trial #${detail.best.number} ${paramsText(detail.best.params)}` +
        (first === undefined || value === undefined || value === null
          ? ''
          : ` (${metricLabel(first.metric)} ${formatMetric(first.metric, value)})`),
    );
  } else lines.push('Best: no feasible trial yet');
  lines.push(
    detail.approved === null
      ? 'Approved: nothing yet (regimen studies ID --approve [--trial N])'
      : `Approved: ${paramsText(detail.approved.params)} at ${time.dateTime(detail.approved.approvedAt)} ${time.zone}`,
  );
  if (detail.perRegime !== null) lines.push(...perRegimeLines(detail.perRegime));
  return lines;
}

/** `--importance score|METRIC` as the request's measure: the score, or the objective's position. */
function importanceMeasure(
  given: string,
  objectives: StudyDetail['summary']['objectives'],
): 'score' | number {
  if (given === 'score') return 'score';
  const position = objectives.findIndex((objective) => objective.metric === given);
  if (position === -1)
    throw new UsageError(
      `--importance must be score or one of the study's objectives (${objectives.map((o) => o.metric).join(', ')}), got "${given}"`,
    );
  return position;
}

function importanceLines(result: OptimizeImportanceResult, measure: string): string[] {
  const explained = measure === 'score' ? 'the score' : metricLabel(measure);
  return [
    `Parameter importance for ${explained} over ${result.trialsUsed} trials (share of the explained variance; spread across trees)`,
    table(
      [
        ['parameter', 'importance', 'spread'],
        ...result.params.map((p) => [p.name, `${(p.importance * 100).toFixed(1)}%`, p.spread.toFixed(3)]),
      ],
      true,
    ),
    ...(result.note === null ? [] : [result.note]),
  ];
}

/** A note as a table cell: its first line, cut to a width a terminal row can hold. */
/** What a study's best value is of: its first objective (a Pareto study's others counted). */
function objectiveText(objectives: StudyDetail['summary']['objectives']): string {
  const first = objectives[0];
  if (first === undefined) return '';
  return `${objectiveLabel(first)}${objectives.length > 1 ? ` (+${objectives.length - 1})` : ''}`;
}

function noteCell(note: string): string {
  const line = note.split('\n')[0] ?? '';
  return line.length > 40 || line !== note ? `${line.slice(0, 39)}…` : line;
}

/**
 * Studies and their approved parameter sets, read (and approved) through the same requests as the app's
 * Optimize view, so they work while the app or `regimen serve` holds the data folder.
 */
export const studiesCommand: Command = {
  usage:
    '[STUDY_ID [--approve [--trial N]] [--name NAME] [--note TEXT] | STUDY_ID --delete] [--data-dir DIR] [--tz ZONE] [--json]\n' +
    '   or: STUDY_ID --importance score|METRIC: how much of the score (or one objective) each parameter explains,\n' +
    "        over the study's complete trials (the Optimize view's importance chart)",
  allowPositionals: true,
  options: {
    approve: { type: 'boolean' },
    trial: { type: 'string' },
    name: { type: 'string' },
    note: { type: 'string' },
    delete: { type: 'boolean' },
    importance: { type: 'string' },
  },
  async run(args, io) {
    if (args.positionals.length > 1) throw new UsageError('give at most one STUDY_ID');
    const studyId = args.positionals[0];
    const approve = args.values['approve'] === true;
    const remove = args.values['delete'] === true;
    const name = stringOption(args, 'name');
    const note = stringOption(args, 'note');
    if (studyId === undefined && (approve || remove || name !== undefined || note !== undefined))
      throw new UsageError('--approve, --name, --note and --delete need a STUDY_ID');
    if (remove && (approve || name !== undefined || note !== undefined))
      throw new UsageError('--delete goes alone: a deleted study keeps no name, note or approval');
    if (studyId === undefined && args.values['trial'] !== undefined)
      throw new UsageError('--approve and --trial need a STUDY_ID');
    if (!approve && args.values['trial'] !== undefined) throw new UsageError('--trial goes with --approve');
    const importance = stringOption(args, 'importance');
    if (importance !== undefined && (studyId === undefined || approve || remove))
      throw new UsageError('--importance needs a STUDY_ID and goes without --approve or --delete');
    const json = args.values['json'] === true;
    const time = timeFormatFrom(args);
    const backend = await openBackend(args);
    try {
      if (studyId === undefined) {
        const studies = await backend.request('optimize:list', {});
        if (json) io.out(toJson(studies));
        else if (studies.length === 0) io.out('No studies yet: `regimen optimize` starts one.');
        else
          io.out(
            table([
              [
                'id',
                'name',
                'note',
                'strategy',
                'symbols',
                'state',
                'trials',
                'objective',
                'best',
                `updated (${time.zone})`,
              ],
              ...studies.map((s) => [
                s.id,
                s.name,
                noteCell(s.note),
                s.strategy,
                // A study of several symbols lists them all (the first alone read as a study of it).
                (s.symbols ?? [s.symbol]).join(','),
                s.state,
                `${s.trialsDone}/${s.trialsTotal}`,
                objectiveText(s.objectives),
                s.bestValue === null ? 'n/a' : formatMetric(s.objectives[0]?.metric ?? '', s.bestValue),
                time.dateTime(s.updatedAt),
              ]),
            ]),
          );
        return 0;
      }
      if (remove) {
        // The owner refuses a running study (cancel it first): its trials are still being written.
        await backend.request('optimize:delete', { studyId });
        if (json) io.out(toJson({ studyId, deleted: true }));
        else io.out(`Deleted study ${studyId} and its trials.`);
        return 0;
      }
      if (importance !== undefined) {
        const { summary } = await backend.request('optimize:get', { studyId, includeTrials: false });
        const result = await backend.request('optimize:importance', {
          studyId,
          measure: importanceMeasure(importance, summary.objectives),
        });
        io.out(json ? toJson(result) : importanceLines(result, importance).join('\n'));
        return 0;
      }
      if (name !== undefined || note !== undefined)
        await backend.request('optimize:annotate', {
          studyId,
          ...(name === undefined ? {} : { name }),
          ...(note === undefined ? {} : { note }),
        });
      let detail = await backend.request('optimize:get', { studyId, includeTrials: approve });
      if (approve) {
        const trialNumber =
          args.values['trial'] === undefined ? detail.best?.number : numberOption(args, 'trial', 0);
        const trial = detail.trials.find((t) => t.number === trialNumber);
        if (trial === undefined || trial.status !== 'complete')
          throw new UsageError(
            trialNumber === undefined
              ? `study ${studyId} has no feasible trial to approve`
              : `study ${studyId} has no complete trial #${trialNumber}`,
          );
        const params: Record<string, number> = {};
        for (const [name, value] of Object.entries(trial.params)) {
          if (typeof value !== 'number')
            throw new UsageError(`trial #${trial.number}'s ${name} is not a number and cannot be approved`);
          params[name] = value;
        }
        await backend.request('optimize:approve', { studyId, params, trialNumber: trial.number });
        detail = await backend.request('optimize:get', { studyId, includeTrials: false });
      }
      if (json)
        io.out(
          toJson({
            summary: detail.summary,
            best: detail.best,
            approved: detail.approved,
            ...(detail.perRegime === null ? {} : { perRegime: detail.perRegime }),
          }),
        );
      else io.out(detailLines(detail, time).join('\n'));
      return 0;
    } finally {
      await backend.close();
    }
  },
};
