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
});
