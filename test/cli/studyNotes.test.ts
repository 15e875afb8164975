/**
 * `regimen optimize --name --note` and `regimen studies ID --name/--note/--delete` (issue 15 item 5): the
 * CLI names and annotates a study, lists the note, refuses a bad one naming the option, and deletes a
 * study with its trials, through the same requests as the app (openBackend: the owner when one holds
 * the folder).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, SMA_GRID } from '../support/runCli.ts';
import { dailyWaveCsv } from '../support/dailyWave.ts';

const cleanups: (() => unknown)[] = [];
afterAll(() => {
  for (const cleanup of cleanups.reverse()) cleanup();
});

interface Listed {
  id: string;
  name: string;
  note: string;
}

describe('study names and notes from the CLI', () => {
  it('names and notes a study, edits both, lists them, refuses bad ones and deletes the study', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'regimen-study-notes-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const csv = join(dataDir, 'WAVE.csv');
    writeFileSync(csv, dailyWaveCsv());
    const d = ['--data-dir', dataDir];
    const grid = ['--csv', csv, ...SMA_GRID, '--objective', 'finalEquity', '--workers', '1', '--json'];

    const empty = await runCli(['optimize', ...grid, '--name', '  ', ...d]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--name: a study name cannot be empty');

    const ran = await runCli(['optimize', ...grid, '--name', 'wave crosses', '--note', 'first pass', ...d]);
    expect(ran.code, ran.stderr).toBe(0);
    const { studyId } = JSON.parse(ran.stdout) as { studyId: string };
    const listed = async (): Promise<Listed[]> =>
      JSON.parse((await runCli(['studies', '--json', ...d])).stdout) as Listed[];
    expect(await listed()).toEqual([
      expect.objectContaining({ id: studyId, name: 'wave crosses', note: 'first pass' }),
    ]);
    const table = await runCli(['studies', ...d]);
    expect(table.stdout).toMatch(/wave crosses\s+first pass/);

    const edited = await runCli(['studies', studyId, '--note', 'fast 3 wins', ...d]);
    expect(edited.code, edited.stderr).toBe(0);
    expect(edited.stdout).toContain(`Study ${studyId} (wave crosses)`);
    expect(edited.stdout).toContain('Note: fast 3 wins');
    const long = await runCli(['studies', studyId, '--note', 'x'.repeat(2_001), ...d]);
    expect(long.code).toBe(2);
    expect(long.stderr).toContain('note: a study note is at most 2000 characters');
    expect(await listed()).toEqual([expect.objectContaining({ name: 'wave crosses', note: 'fast 3 wins' })]);

    const both = await runCli(['studies', studyId, '--delete', '--name', 'x', ...d]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--delete goes alone');
    const deleted = await runCli(['studies', studyId, '--delete', ...d]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toContain(`Deleted study ${studyId} and its trials.`);
    expect(await listed()).toEqual([]);
    const gone = await runCli(['studies', studyId, ...d]);
    expect(gone.code).not.toBe(0);
    // The study is the command's argument: the refusal names no --study-id, which it does not take.
    expect(gone.stderr.split('\n')[0]).toBe(`regimen studies: no study with id "${studyId}"`);
  }, 60_000);
});
