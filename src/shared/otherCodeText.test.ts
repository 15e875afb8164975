import { describe, expect, it } from 'vitest';
import { otherCodeText } from './otherCodeText.ts';

describe('otherCodeText', () => {
  it('says nothing when every worker runs this code', () => {
    expect(otherCodeText([])).toBeNull();
  });

  it('counts the workers and names each host once', () => {
    expect(otherCodeText([{ host: 'old-box' }, { host: 'old-box' }, { host: 'lab-2' }])).toBe(
      '3 worker(s) there (old-box, lab-2) run other code and take none of these trials: ' +
        'start them from the same commit as this machine',
    );
  });
});
