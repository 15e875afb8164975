// Core's folders are a stack (../shared/CONVENTIONS.md): a folder imports only from folders below it, so
// each can be read, tested and reused (regime, learner, live bot) without the ones above it. This test
// keeps it so, in the spirit of VS Code's code-layering check: it reads every production file's imports.
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * src/core's folders, lowest first. A folder may import from lower ranks and from its own rank; folders
 * sharing a rank are peers, which must not import each other in a circle.
 */
const CORE_LAYERS: readonly (readonly string[])[] = [
  ['math'],
  ['data'],
  ['indicators'],
  ['strategy-api'],
  ['engine'],
  ['strategy'],
  ['metrics'],
  ['robustness'],
  ['optimize'],
  ['regime', 'ml', 'live'],
];

/** One import: both ends as paths relative to src/core ('data/csv.ts'), or `to` a package specifier. */
interface ImportEdge {
  readonly from: string;
  readonly to: string;
  /** `to` names a package or a Node builtin, not a file. */
  readonly isPackage?: boolean;
}

const folderOf = (path: string): string => (path.includes('/') ? path.slice(0, path.indexOf('/')) : '.');

/** Everything wrong with `edges` under `layers`, one sentence each (empty when the graph is layered). */
function layeringViolations(edges: readonly ImportEdge[], layers: readonly (readonly string[])[]): string[] {
  const rank = new Map(layers.flatMap((peers, r) => peers.map((folder) => [folder, r] as const)));
  const order = layers.map((peers) => peers.join(' / ')).join(' < ');
  const problems = new Set<string>();
  const folderEdges = new Map<string, Map<string, ImportEdge>>();
  for (const edge of edges) {
    if (edge.isPackage === true || edge.to.startsWith('../')) {
      problems.add(`${edge.from} imports ${edge.to}, outside src/core (core imports nothing outside core)`);
      continue;
    }
    const from = folderOf(edge.from);
    const to = folderOf(edge.to);
    for (const folder of [from, to]) {
      if (!rank.has(folder)) {
        problems.add(
          `folder "${folder}" (${folder === from ? edge.from : edge.to}) is not in the declared layer order ` +
            `${order}: add it to CORE_LAYERS in src/core/layering.test.ts`,
        );
      }
    }
    const fromRank = rank.get(from);
    const toRank = rank.get(to);
    if (fromRank === undefined || toRank === undefined || from === to) continue;
    if (toRank > fromRank) {
      problems.add(`upward import: ${edge.from} imports ${edge.to}, but ${to} is above ${from} (${order})`);
    }
    const targets = folderEdges.get(from) ?? new Map<string, ImportEdge>();
    if (!targets.has(to)) targets.set(to, edge);
    folderEdges.set(from, targets);
  }
  for (const cycle of folderCycles(folderEdges)) {
    const via = cycle.map((folder, k) => folderEdges.get(folder)!.get(cycle[(k + 1) % cycle.length])!);
    problems.add(
      `folder cycle: ${[...cycle, cycle[0]].join(' -> ')} (${via.map((e) => `${e.from} -> ${e.to}`).join(', ')})`,
    );
  }
  return [...problems];
}

/**
 * One cycle per strongly connected component of more than one folder (Tarjan): the shortest path from the
 * component's first-visited folder back to itself, so every step printed is an import that exists.
 */
function folderCycles(graph: ReadonlyMap<string, ReadonlyMap<string, unknown>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const successors = (node: string): string[] => [...(graph.get(node)?.keys() ?? [])];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    for (const next of successors(node)) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (stack.includes(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component = new Set(stack.splice(stack.indexOf(node)));
    if (component.size > 1) cycles.push(shortestCycle(node, component, successors));
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

/** Breadth-first from `start` back to it, staying inside `within` (a strongly connected component). */
function shortestCycle(
  start: string,
  within: ReadonlySet<string>,
  successors: (node: string) => string[],
): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let k = 0; k < queue.length; k++) {
    for (const next of successors(queue[k])) {
      if (!within.has(next) || previous.has(next)) continue;
      previous.set(next, queue[k]);
      if (next === start) {
        const path: string[] = [];
        for (let node = previous.get(start)!; node !== start; node = previous.get(node)!) path.unshift(node);
        return [start, ...path];
      }
      queue.push(next);
    }
  }
  throw new Error(`${start} is in a strongly connected component but on no cycle`);
}

const CORE_DIR = fileURLToPath(new URL('.', import.meta.url));

/** Production files only: tests and their helpers (*.test.ts, *.test-util.ts) may reach anywhere. */
function productionFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return productionFiles(path);
    const isTest = entry.name.endsWith('.test.ts') || entry.name.endsWith('.test-util.ts');
    return entry.name.endsWith('.ts') && !isTest ? [path] : [];
  });
}

/** Every import, export-from and dynamic import of core's production files (type-only ones too). */
function coreImportEdges(): ImportEdge[] {
  return productionFiles(CORE_DIR).flatMap((file) => {
    const from = relative(CORE_DIR, file).split(sep).join('/');
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    return importedFiles.map(({ fileName }) =>
      fileName.startsWith('.')
        ? { from, to: posix.normalize(posix.join(posix.dirname(from), fileName)) }
        : { from, to: fileName, isPackage: true },
    );
  });
}

describe('core layering', () => {
  it('reports upward imports, folder cycles, unknown folders and imports leaving core', () => {
    const layers = [['math'], ['data'], ['engine'], ['regime', 'ml']];
    const problems = layeringViolations(
      [
        { from: 'data/csv.ts', to: 'math/statistics.ts' },
        { from: 'data/csv.ts', to: 'engine/backtest.ts' },
        { from: 'regime/hmm.ts', to: 'ml/features.ts' },
        { from: 'ml/features.ts', to: 'regime/labels.ts' },
        { from: 'ml/features.ts', to: 'data/bars.ts' },
        { from: 'live/bot.ts', to: 'math/random.ts' },
        { from: 'math/random.ts', to: '../main/store/db.ts' },
        { from: 'math/normal.ts', to: 'node:fs', isPackage: true },
      ],
      layers,
    );
    const order = 'math < data < engine < regime / ml';
    expect(problems).toEqual([
      `upward import: data/csv.ts imports engine/backtest.ts, but engine is above data (${order})`,
      `folder "live" (live/bot.ts) is not in the declared layer order ${order}: add it to CORE_LAYERS in src/core/layering.test.ts`,
      'math/random.ts imports ../main/store/db.ts, outside src/core (core imports nothing outside core)',
      'math/normal.ts imports node:fs, outside src/core (core imports nothing outside core)',
      'folder cycle: regime -> ml -> regime (regime/hmm.ts -> ml/features.ts, ml/features.ts -> regime/labels.ts)',
    ]);
    // A cycle through different ranks is reported both as its upward edge and as a cycle.
    expect(
      layeringViolations(
        [
          { from: 'data/a.ts', to: 'engine/b.ts' },
          { from: 'engine/b.ts', to: 'data/c.ts' },
        ],
        layers,
      ),
    ).toEqual([
      `upward import: data/a.ts imports engine/b.ts, but engine is above data (${order})`,
      'folder cycle: data -> engine -> data (data/a.ts -> engine/b.ts, engine/b.ts -> data/c.ts)',
    ]);
  });

  it("src/core's import graph follows the declared order, with no folder cycle", () => {
    const edges = coreImportEdges();
    // The parser must see the graph: core's files import each other hundreds of times.
    expect(
      edges.filter((edge) => edge.from.startsWith('engine/') && edge.to.startsWith('data/')).length,
    ).toBeGreaterThan(0);
    expect(layeringViolations(edges, CORE_LAYERS)).toEqual([]);
  });
});
