import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PythonRandom } from '../../src/core/ml/drift/pythonRandom.test-util.ts';
import { main } from '../../src/main/cli/main.ts';
import { captureIO } from '../support/captureIO.ts';

describe('regimen drift', () => {
  const dir = mkdtempSync(join(tmpdir(), 'regimen-drift-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints River's detection indices for River's own example stream as JSON", async () => {
    const rng = new PythonRandom(12345);
    const values = [...rng.choices([0, 1], 1000), ...rng.choices([4, 5, 6, 7], 1000)];
    const file = join(dir, 'stream.csv');
    writeFileSync(file, `date,Daily Return\n${values.map((v, i) => `${i},${v}`).join('\n')}\n`);
    const io = captureIO();
    expect(await main(['drift', '--csv', file, '--column', 'daily return', '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout)).toMatchObject({ detector: 'adwin', rows: 2000, detections: [1023] });
  });

  it('names the row and column of a cell that is not a number, and an unknown column', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'date,r\n1,0.5\n2,abc\n');
    const io = captureIO();
    expect(await main(['drift', '--csv', file, '--column', 'r'], io)).not.toBe(0);
    expect(io.stderr).toMatch(/bad\.csv, line 3, column r: "abc" is not a finite number/);
    const unknown = captureIO();
    expect(await main(['drift', '--csv', file, '--column', 'x'], unknown)).toBe(2);
    expect(unknown.stderr).toMatch(/--column "x" is not in bad\.csv/);
  });

  // GOOG.csv's pandas index column has no name: "its columns are , Open, High" read as a stray comma.
  it('names an unnamed column as unnamed when it lists the columns of a file', async () => {
    const file = join(dir, 'indexed.csv');
    writeFileSync(file, ',Open,Close\n2024-01-02,1,2\n');
    const io = captureIO();
    expect(await main(['drift', '--csv', file, '--column', 'x'], io)).toBe(2);
    expect(io.stderr.split('\n')[0]).toBe(
      'regimen drift: --column "x" is not in indexed.csv; its columns are (unnamed), Open, Close',
    );
  });

  it('refuses an empty file, a header without rows and a binary file, without quoting its bytes', async () => {
    const cases: [string, string, string][] = [
      ['empty.csv', '', 'empty.csv: the file is empty'],
      ['header.csv', 'date,r\n', 'header.csv: the file has no data rows'],
      ['bars.csv', 'PAR1\u0015\u0000\u0015\u00ce,\u0002\n', 'bars.csv: a Parquet file, not CSV text'],
      [
        'noise.csv',
        '\u0001\u0000\u00ff,r\n1,2\n',
        'noise.csv line 1: binary data (a NUL byte), not CSV text',
      ],
    ];
    for (const [name, text, message] of cases) {
      const file = join(dir, name);
      writeFileSync(file, text);
      for (const command of [
        ['drift', '--csv', file, '--column', 'r'],
        ['robustness', '--csv', file, '--column', 'r'],
      ]) {
        const io = captureIO();
        expect(await main(command, io), `${command[0]} ${name}`).toBe(2);
        expect(io.stderr.split('\n')[0]).toBe(`regimen ${command[0]}: ${message}`);
        expect(io.stdout).toBe('');
      }
    }
  });
});
