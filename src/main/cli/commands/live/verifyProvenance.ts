import { existsSync } from 'node:fs';
import type { ParameterSet } from '../../../../core/live/parameterSet.ts';
import { proposals } from '../../../livebot/liveDesk.ts';
import { UsageError } from '../../args.ts';
import { openBackend } from '../../backend.ts';
import type { Command } from '../../command.ts';
import { print, readSetFile, withDesk } from './desk.ts';

/**
 * `regimen live verify-provenance ARTIFACT`: re-runs a set's study trial (through the folder's owner
 * when one runs) and reproduces its recorded metrics, or says exactly what differs. ARTIFACT is a set's
 * JSON file, or its hash (8 hex digits or more) as the audit trail recorded it.
 */
async function artifact(args: Parameters<Command['run']>[0]): Promise<ParameterSet> {
  const given = args.positionals[0];
  if (given === undefined) throw new UsageError('name the artifact: a set JSON file or its hash');
  if (existsSync(given)) return readSetFile(given);
  if (!/^[0-9a-f]{8,64}$/.test(given))
    throw new UsageError(`${given} is neither a file nor a set hash (8 to 64 hex digits)`);
  const found = await withDesk(args, false, async (desk) =>
    (await proposals(desk.audit)).find((p) => p.set.hash.startsWith(given)),
  );
  if (found === undefined) throw new UsageError(`no set ${given} in the audit trail`);
  return found.set;
}

export const liveVerifyProvenanceCommand: Command = {
  usage: 'ARTIFACT (a set JSON file or its hash) [--json]',
  options: {},
  allowPositionals: true,
  async run(args, io) {
    const set = await artifact(args);
    const backend = await openBackend(args);
    try {
      const verdict = await backend.request('live:verify-provenance', { set });
      print(
        io,
        args,
        verdict,
        [
          `${verdict.ok ? 'REPRODUCED' : 'DIFFERS'}: set ${verdict.hash.slice(0, 12)}, study ${verdict.studyId} trial ${verdict.trial}`,
          ...verdict.metrics.map(
            (m) =>
              `  ${m.matches ? 'ok  ' : 'DIFF'} ${m.name}: ${m.recorded} -> ${m.reproduced ?? '-'}` +
              (m.difference === null ? '' : ` (${m.difference})`),
          ),
          ...verdict.differences.map((d) => `  ${d}`),
        ].join('\n'),
      );
      return verdict.ok ? 0 : 1;
    } finally {
      await backend.close();
    }
  },
};
