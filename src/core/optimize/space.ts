/**
 * The search space of an optimisation: typed parameters (int, float linear or log, categorical), each
 * with an optional step, and constraints between them. Plain data throughout so a space can be
 * persisted with its study, sent to a worker or validated at the IPC boundary unchanged.
 */
import type { Rng } from '../math/random.ts';
import type { ParamSpec, StrategyDefinition } from '../strategy-api/types.ts';

export type ParamValue = number | string | boolean;
export type Params = Readonly<Record<string, ParamValue>>;

export interface IntParam {
  readonly kind: 'int';
  readonly name: string;
  readonly low: number;
  readonly high: number;
  /** Values are low, low + step, ... <= high. */
  readonly step: number;
  /** Sample uniformly in log(value) (step must then be 1). */
  readonly log: boolean;
}

export interface FloatParam {
  readonly kind: 'float';
  readonly name: string;
  readonly low: number;
  readonly high: number;
  /** null: continuous. Otherwise values are low + k * step <= high. */
  readonly step: number | null;
  readonly log: boolean;
}

export interface CategoricalParam {
  readonly kind: 'categorical';
  readonly name: string;
  readonly choices: readonly ParamValue[];
}

export type NumericParam = IntParam | FloatParam;
/**
 * One dimension of a search space: a range (or choices) to sample, as `--space` or a study request gives
 * it. Not a parameter's definition: that is the strategy's ParamSpec (core/strategy-api), from which a
 * strategy's default dimensions derive (strategySpace).
 */
export type SearchDimension = IntParam | FloatParam | CategoricalParam;

export type ConstraintOp = '<' | '<=' | '>' | '>=' | '==' | '!=';
export type Operand =
  { readonly kind: 'param'; readonly name: string } | { readonly kind: 'const'; readonly value: number };

export interface Constraint {
  readonly left: Operand;
  readonly op: ConstraintOp;
  readonly right: Operand;
  /** The text the constraint was parsed from, used in messages. */
  readonly source: string;
}

export interface SearchSpace {
  readonly params: readonly SearchDimension[];
  readonly constraints: readonly Constraint[];
}

/** Continuous floats have no natural grid; a grid over one uses this many evenly spaced points by default. */
export const DEFAULT_FLOAT_GRID_POINTS = 5;

// ---------------------------------------------------------------------------------------------------
// Construction and validation

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.]*$/;

function checkName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new Error(
      `parameter name "${name}" is invalid: use letters, digits, '_' or '.', not starting with a digit`,
    );
  }
}

function checkBounds(name: string, low: number, high: number): void {
  if (!Number.isFinite(low) || !Number.isFinite(high)) {
    throw new Error(`parameter "${name}": bounds must be finite numbers (got ${low}..${high})`);
  }
  if (low > high) throw new Error(`parameter "${name}": min ${low} is greater than max ${high}`);
}

export function intParam(
  name: string,
  low: number,
  high: number,
  options: { step?: number; log?: boolean } = {},
): IntParam {
  checkName(name);
  checkBounds(name, low, high);
  const step = options.step ?? 1;
  const log = options.log ?? false;
  if (!Number.isInteger(low) || !Number.isInteger(high)) {
    throw new Error(`parameter "${name}": an int parameter needs integer bounds (got ${low}..${high})`);
  }
  if (!Number.isInteger(step) || step <= 0) {
    throw new Error(`parameter "${name}": step must be a positive integer (got ${step})`);
  }
  if (log && low <= 0) throw new Error(`parameter "${name}": a log parameter needs min > 0 (got ${low})`);
  if (log && step !== 1)
    throw new Error(`parameter "${name}": a log int parameter cannot have a step (got ${step})`);
  return { kind: 'int', name, low, high, step, log };
}

export function floatParam(
  name: string,
  low: number,
  high: number,
  options: { step?: number | null; log?: boolean } = {},
): FloatParam {
  checkName(name);
  checkBounds(name, low, high);
  const step = options.step ?? null;
  const log = options.log ?? false;
  if (step !== null && (!Number.isFinite(step) || step <= 0)) {
    throw new Error(`parameter "${name}": step must be a positive number (got ${step})`);
  }
  if (log && low <= 0) throw new Error(`parameter "${name}": a log parameter needs min > 0 (got ${low})`);
  if (log && step !== null) throw new Error(`parameter "${name}": a log float parameter cannot have a step`);
  return { kind: 'float', name, low, high, step, log };
}

export function categoricalParam(name: string, choices: readonly ParamValue[]): CategoricalParam {
  checkName(name);
  if (choices.length === 0)
    throw new Error(`parameter "${name}": a categorical parameter needs at least one choice`);
  const seen = new Set<string>();
  for (const choice of choices) {
    const key = JSON.stringify(choice);
    if (seen.has(key)) throw new Error(`parameter "${name}": choice ${key} is listed twice`);
    seen.add(key);
  }
  return { kind: 'categorical', name, choices: [...choices] };
}

/** Builds a space, checking names are unique and that every constraint refers to known, comparable parameters. */
export function createSpace(
  params: readonly SearchDimension[],
  constraints: readonly (string | Constraint)[] = [],
): SearchSpace {
  const names = new Set<string>();
  for (const p of params) {
    if (names.has(p.name)) throw new Error(`parameter "${p.name}" is defined twice`);
    names.add(p.name);
  }
  const space: SearchSpace = { params: [...params], constraints: [] };
  const parsed: Constraint[] = [];
  for (const c of constraints) {
    if (typeof c === 'string') parsed.push(...parseConstraint(c, space));
    else {
      checkConstraint(c, space);
      parsed.push(c);
    }
  }
  return { params: space.params, constraints: parsed };
}

export function findParam(space: SearchSpace, name: string): SearchDimension | undefined {
  return space.params.find((p) => p.name === name);
}

function checkConstraint(c: Constraint, space: SearchSpace): void {
  const names = space.params.map((p) => p.name).join(', ');
  let paramCount = 0;
  for (const operand of [c.left, c.right]) {
    if (operand.kind !== 'param') continue;
    paramCount++;
    const p = findParam(space, operand.name);
    if (p === undefined) {
      throw new Error(`constraint "${c.source}": unknown parameter "${operand.name}" (parameters: ${names})`);
    }
    if (p.kind === 'categorical' && c.op !== '==' && c.op !== '!=') {
      throw new Error(
        `constraint "${c.source}": "${p.name}" is categorical and can only be compared with == or !=`,
      );
    }
  }
  if (paramCount === 0)
    throw new Error(`constraint "${c.source}": it compares two constants; name a parameter`);
}

// ---------------------------------------------------------------------------------------------------
// Parsing of the CLI forms: constraints like "fast<slow" and parameters like "fast=5:25:5"

const OPS: readonly ConstraintOp[] = ['<=', '>=', '==', '!=', '<', '>'];

/**
 * Parses "fast<slow", "macd_fast <= macd_slow", "a < b < c" (a chain: every adjacent pair) or
 * "risk_per_trade<=0.02". With a space, names are checked against it.
 */
export function parseConstraint(text: string, space?: SearchSpace): Constraint[] {
  const source = text.trim();
  const tokens: string[] = [];
  const ops: ConstraintOp[] = [];
  let rest = source;
  let current = '';
  while (rest.length > 0) {
    const op = OPS.find((o) => rest.startsWith(o));
    if (op !== undefined) {
      tokens.push(current.trim());
      ops.push(op);
      current = '';
      rest = rest.slice(op.length);
    } else {
      if (rest[0] === '=') throw new Error(`constraint "${source}": use == for equality, not =`);
      current += rest[0];
      rest = rest.slice(1);
    }
  }
  tokens.push(current.trim());
  if (ops.length === 0) {
    throw new Error(
      `constraint "${source}": expected a comparison such as "fast<slow" (operators: ${OPS.join(' ')})`,
    );
  }
  const operands = tokens.map((token): Operand => {
    if (token === '') throw new Error(`constraint "${source}": an operand is missing around an operator`);
    const value = Number(token);
    if (Number.isFinite(value) && /^[-+.\d]/.test(token)) return { kind: 'const', value };
    if (!NAME_PATTERN.test(token))
      throw new Error(`constraint "${source}": "${token}" is neither a parameter name nor a number`);
    return { kind: 'param', name: token };
  });
  const result: Constraint[] = [];
  for (let i = 0; i < ops.length; i++) {
    const c: Constraint = { left: operands[i]!, op: ops[i]!, right: operands[i + 1]!, source };
    if (space !== undefined) checkConstraint(c, space);
    result.push(c);
  }
  return result;
}

function parseNumber(text: string, what: string, source: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) {
    throw new Error(`space "${source}": ${what} "${text}" is not a number`);
  }
  return value;
}

const looksInteger = (text: string): boolean => /^[-+]?\d+$/.test(text.trim());

/**
 * Parses one CLI parameter spec:
 * - `fast=5:25:5` int 5..25 step 5 (`fast=5:25` step 1); a '.' or exponent in any number makes it float
 * - `x=0.1:10:log` float sampled in log space (`n=1:1000:log` is a log int)
 * - `x=0.5:2.5:0.25` stepped float, `x=0.5:2.5` continuous float
 * - `kind=a|b|c` categorical; numeric choices become numbers, true/false become booleans
 * - `x=7` a fixed value
 */
export function parseDimension(text: string): SearchDimension {
  const source = text.trim();
  const eq = source.indexOf('=');
  if (eq <= 0) throw new Error(`space "${source}": expected name=min:max[:step|:log] or name=a|b|c`);
  const name = source.slice(0, eq).trim();
  const body = source.slice(eq + 1).trim();
  if (!NAME_PATTERN.test(name)) throw new Error(`space "${source}": parameter name "${name}" is invalid`);
  if (body === '') throw new Error(`space "${source}": no range or choices after '='`);
  const wrap = <T>(build: () => T): T => {
    try {
      return build();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`space "${source}": ${message}`, { cause: error });
    }
  };
  if (body.includes('|')) {
    const tokens = body.split('|').map((t) => t.trim());
    if (tokens.some((t) => t === '')) throw new Error(`space "${source}": an empty choice between '|'`);
    let choices: ParamValue[];
    if (tokens.every((t) => Number.isFinite(Number(t)))) choices = tokens.map(Number);
    else if (tokens.every((t) => t === 'true' || t === 'false')) choices = tokens.map((t) => t === 'true');
    else choices = tokens;
    return wrap(() => categoricalParam(name, choices));
  }
  const parts = body.split(':').map((t) => t.trim());
  if (parts.length === 1) {
    const value = parseNumber(parts[0]!, 'value', source);
    return looksInteger(parts[0]!)
      ? wrap(() => intParam(name, value, value))
      : wrap(() => floatParam(name, value, value));
  }
  if (parts.length > 3)
    throw new Error(`space "${source}": too many ':' fields; expected min:max[:step|:log]`);
  const low = parseNumber(parts[0]!, 'min', source);
  const high = parseNumber(parts[1]!, 'max', source);
  const third = parts[2];
  const isLog = third?.toLowerCase() === 'log';
  const step = third === undefined || isLog ? undefined : parseNumber(third, 'step', source);
  if (step !== undefined && step <= 0) throw new Error(`space "${source}": step ${step} must be positive`);
  if (low > high) throw new Error(`space "${source}": min ${low} is greater than max ${high}`);
  const integer =
    looksInteger(parts[0]!) &&
    looksInteger(parts[1]!) &&
    (third === undefined || isLog || looksInteger(third));
  if (integer) return wrap(() => intParam(name, low, high, { step: step ?? 1, log: isLog }));
  return wrap(() => floatParam(name, low, high, { step: step ?? null, log: isLog }));
}

/** Parses the CLI's repeated `--space` and `--constraint` options into a space. */
export function parseSpace(specs: readonly string[], constraints: readonly string[] = []): SearchSpace {
  return createSpace(specs.map(parseDimension), constraints);
}

/** A strategy's parameter specs as search dimensions: each default search range, stepped as the spec says. */
export function spaceFromStrategyParams(
  specs: readonly Pick<ParamSpec, 'name' | 'type' | 'min' | 'max' | 'step'>[],
  constraints: readonly string[] = [],
): SearchSpace {
  return createSpace(
    specs.map((s) =>
      s.type === 'int'
        ? intParam(s.name, s.min, s.max, { step: s.step })
        : floatParam(s.name, s.min, s.max, { step: s.step }),
    ),
    constraints,
  );
}

/**
 * A strategy's own search space: its parameter specs (ranges and steps, the one definition the
 * registry holds) and its constraints, plus any extra constraints.
 */
export function strategySpace(
  definition: StrategyDefinition,
  extraConstraints: readonly string[] = [],
): SearchSpace {
  const constraints = definition.constraints.map((c) => `${c.left}<${c.right}`);
  return spaceFromStrategyParams(definition.params, [...constraints, ...extraConstraints]);
}

// ---------------------------------------------------------------------------------------------------
// Values, steps and membership

function decimalsOf(x: number): number {
  if (Number.isInteger(x)) return 0;
  const text = String(x);
  const exp = text.match(/e-(\d+)$/);
  if (exp !== null) return Number(exp[1]) + (text.split('e')[0]!.split('.')[1]?.length ?? 0);
  return text.split('.')[1]?.length ?? 0;
}

/** Rounds away the binary noise of low + k * step so stepped floats compare equal and print cleanly. */
function cleanStepValue(p: NumericParam, value: number): number {
  if (p.step === null) return value;
  const decimals = Math.min(12, Math.max(decimalsOf(p.step), decimalsOf(p.low)));
  return Number(value.toFixed(decimals));
}

/** Number of distinct values of a stepped numeric parameter, or Infinity for a continuous float. */
export function valueCount(p: SearchDimension): number {
  if (p.kind === 'categorical') return p.choices.length;
  if (p.step === null) return p.low === p.high ? 1 : Infinity;
  return Math.floor((p.high - p.low) / p.step + 1e-9) + 1;
}

/** The k-th value of a stepped numeric parameter. */
export function stepValue(p: NumericParam, k: number): number {
  return cleanStepValue(p, p.low + k * (p.step ?? 0));
}

/** Snaps a number onto the parameter's steps and bounds. */
export function snapNumeric(p: NumericParam, x: number): number {
  if (p.step === null) return Math.min(p.high, Math.max(p.low, x));
  const k = Math.min(valueCount(p) - 1, Math.max(0, Math.round((x - p.low) / p.step)));
  return stepValue(p, k);
}

/** The index of a stepped value (inverse of stepValue), or -1 when it is not on the steps. */
export function stepIndex(p: NumericParam, value: number): number {
  if (p.step === null) return -1;
  const k = Math.round((value - p.low) / p.step);
  if (k < 0 || k >= valueCount(p)) return -1;
  return Math.abs(stepValue(p, k) - value) <= 1e-9 * Math.max(1, Math.abs(value)) ? k : -1;
}

/** Values a grid visits: every step, or evenly spaced points (log-spaced for log) for a continuous float. */
export function gridValues(p: SearchDimension, floatPoints = DEFAULT_FLOAT_GRID_POINTS): ParamValue[] {
  if (p.kind === 'categorical') return [...p.choices];
  const n = valueCount(p);
  if (Number.isFinite(n)) return Array.from({ length: n }, (_, k) => stepValue(p, k));
  const out: number[] = [];
  for (let i = 0; i < floatPoints; i++) {
    const u = floatPoints === 1 ? 0.5 : i / (floatPoints - 1);
    out.push(
      p.log
        ? Math.exp(Math.log(p.low) + u * (Math.log(p.high) - Math.log(p.low)))
        : p.low + u * (p.high - p.low),
    );
  }
  return out;
}

/** Why a value does not belong to a parameter, or null when it does. */
export function valueProblem(p: SearchDimension, value: ParamValue | undefined): string | null {
  if (value === undefined) return `"${p.name}" is missing`;
  if (p.kind === 'categorical') {
    return p.choices.includes(value)
      ? null
      : `"${p.name}"=${JSON.stringify(value)} is not one of ${JSON.stringify(p.choices)}`;
  }
  if (typeof value !== 'number' || !Number.isFinite(value))
    return `"${p.name}"=${JSON.stringify(value)} is not a number`;
  if (value < p.low || value > p.high) return `"${p.name}"=${value} is outside ${p.low}..${p.high}`;
  if (p.step !== null && stepIndex(p, value) < 0)
    return `"${p.name}"=${value} is not on step ${p.step} from ${p.low}`;
  return null;
}

function operandValue(operand: Operand, params: Params): ParamValue | undefined {
  return operand.kind === 'const' ? operand.value : params[operand.name];
}

export function satisfies(constraint: Constraint, params: Params): boolean {
  const a = operandValue(constraint.left, params);
  const b = operandValue(constraint.right, params);
  if (a === undefined || b === undefined) return false;
  switch (constraint.op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
}

export function satisfiesConstraints(space: SearchSpace, params: Params): boolean {
  for (const c of space.constraints) if (!satisfies(c, params)) return false;
  return true;
}

/** Every reason a parameter set is not a member of the space (empty when it is). */
export function paramsProblems(space: SearchSpace, params: Params): string[] {
  const problems: string[] = [];
  for (const p of space.params) {
    const problem = valueProblem(p, params[p.name]);
    if (problem !== null) problems.push(problem);
  }
  for (const name of Object.keys(params)) {
    if (findParam(space, name) === undefined) problems.push(`"${name}" is not a parameter of the space`);
  }
  if (problems.length === 0) {
    for (const c of space.constraints)
      if (!satisfies(c, params)) problems.push(`constraint "${c.source}" is violated`);
  }
  return problems;
}

export function isInSpace(space: SearchSpace, params: Params): boolean {
  return paramsProblems(space, params).length === 0;
}

/** A canonical text key of a parameter set (space order), used to detect duplicates. */
export function paramsKey(space: SearchSpace, params: Params): string {
  let key = '';
  for (const p of space.params) key += JSON.stringify(params[p.name] ?? null) + ',';
  return key;
}

// ---------------------------------------------------------------------------------------------------
// The unit cube: samplers work in [0, 1] per numeric parameter (log-aware), so one set of rules
// (kernels, mutation widths, distances) applies to every range.

interface UnitMap {
  readonly lo: number;
  readonly hi: number;
}

const unitMaps = new WeakMap<NumericParam, UnitMap>();

/**
 * Stepped parameters own a cell of half a step either side of each value, so that rounding a uniform
 * unit coordinate gives every value the same probability (the end values included).
 */
function unitMap(p: NumericParam): UnitMap {
  let map = unitMaps.get(p);
  if (map !== undefined) return map;
  const t = (x: number): number => (p.log ? Math.log(x) : x);
  let lo = t(p.low);
  let hi = t(p.high);
  if (p.step !== null) {
    const n = valueCount(p);
    if (n > 1) {
      lo -= (t(stepValue(p, 1)) - t(p.low)) / 2;
      hi += (t(stepValue(p, n - 1)) - t(stepValue(p, n - 2))) / 2;
    } else {
      lo -= 0.5;
      hi += 0.5;
    }
  }
  if (hi === lo) hi = lo + 1;
  map = { lo, hi };
  unitMaps.set(p, map);
  return map;
}

export function toUnit(p: NumericParam, value: number): number {
  const { lo, hi } = unitMap(p);
  return ((p.log ? Math.log(value) : value) - lo) / (hi - lo);
}

export function fromUnit(p: NumericParam, u: number): number {
  const { lo, hi } = unitMap(p);
  const clipped = Math.min(1, Math.max(0, u));
  const t = lo + clipped * (hi - lo);
  return snapNumeric(p, p.log ? Math.exp(t) : t);
}

/** One value of a parameter drawn uniformly (log-uniformly for log parameters). */
export function sampleParamUniform(p: SearchDimension, rng: Rng): ParamValue {
  if (p.kind === 'categorical') return p.choices[rng.int(p.choices.length)]!;
  return fromUnit(p, rng.float());
}

/** A whole parameter set drawn uniformly, ignoring constraints. */
export function sampleUniform(space: SearchSpace, rng: Rng): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const p of space.params) out[p.name] = sampleParamUniform(p, rng);
  return out;
}

/** Number of grid points before constraints (Infinity when a float has no step and no point count applies). */
export function gridSize(space: SearchSpace, floatPoints = DEFAULT_FLOAT_GRID_POINTS): number {
  let size = 1;
  for (const p of space.params) size *= gridValues(p, floatPoints).length;
  return size;
}

/** The grid point at a mixed-radix index; the last parameter varies fastest. */
export function gridPoint(
  space: SearchSpace,
  index: number,
  floatPoints = DEFAULT_FLOAT_GRID_POINTS,
): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  let rest = index;
  for (let i = space.params.length - 1; i >= 0; i--) {
    const p = space.params[i]!;
    const values = gridValues(p, floatPoints);
    out[p.name] = values[rest % values.length]!;
    rest = Math.floor(rest / values.length);
  }
  // Keep the space's parameter order in the object for readable output.
  const ordered: Record<string, ParamValue> = {};
  for (const p of space.params) ordered[p.name] = out[p.name]!;
  return ordered;
}

/** The neighbouring value one step up (+1) or down (-1), or undefined at a bound / for a single value. */
export function neighbourValue(
  p: SearchDimension,
  value: ParamValue,
  direction: -1 | 1,
  floatFraction = 0.05,
): ParamValue | undefined {
  if (p.kind === 'categorical') {
    const i = p.choices.indexOf(value);
    const j = i + direction;
    return i < 0 || j < 0 || j >= p.choices.length ? undefined : p.choices[j];
  }
  if (typeof value !== 'number') return undefined;
  if (p.step !== null) {
    const k = stepIndex(p, value);
    const j = k + direction;
    return k < 0 || j < 0 || j >= valueCount(p) ? undefined : stepValue(p, j);
  }
  // A continuous float's "step" is a fraction of its (log) range.
  const u = toUnit(p, value) + direction * floatFraction;
  if (u < -1e-12 || u > 1 + 1e-12) return undefined;
  return fromUnit(p, u);
}
