import { PURGE_REMEDY, purgeLeavesTrainShort } from '../../../shared/walkForwardPurgeText.ts';
import type { WindowDraft } from '../../store/walkForwardStore.ts';

/**
 * What the Walk-forward form says of a purge while it is set. The run warns when the purge leaves a train
 * window less than half its bars and refuses one it empties, but only once the run has started or ended;
 * a trader typing 60 over train windows of 100 should hear it at the field. Train and purge share the
 * form's unit, and the first train window is the shortest (anchored ones grow), so it is the one judged.
 * In days the bars a window holds are the run's to count, so only an emptied window is refused here; a
 * purge of 'warm-up' is measured at the run and said in its report.
 */
export function purgeFormNote(
  windows: Pick<WindowDraft, 'mode' | 'unit'> & { train: number; purge: number },
): { text: string; refused: boolean } | undefined {
  const { train, purge, unit } = windows;
  if (!(Number.isInteger(train) && train >= 1 && Number.isInteger(purge) && purge > 0)) return undefined;
  const kept = train - purge;
  const which = windows.mode === 'anchored' ? 'the first train window' : 'each train window';
  // Under 2 bars no return can be measured: the run refuses the window.
  if (kept < (unit === 'bars' ? 2 : 1))
    return {
      text: `a purge of ${purge} ${unit} leaves ${Math.max(kept, 0)} of ${which}'s ${train} ${unit}: ${PURGE_REMEDY}`,
      refused: true,
    };
  if (!purgeLeavesTrainShort(kept, train)) return undefined;
  return {
    text:
      `the purge of ${purge} ${unit} leaves ${which} ${kept} of its ${train} ${unit} ` +
      `(${Math.round((kept / train) * 100)}%), so its parameters would be chosen on few bars; ${PURGE_REMEDY}`,
    refused: false,
  };
}
