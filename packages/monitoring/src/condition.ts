/**
 * The seed's alert conditions (`cpu.usage > threshold`, `requests.failed / requests.total >
 * threshold`) as a tiny expression language: metric paths, numbers, `threshold`, + - * /,
 * parentheses and one comparison. Parsed once into a tree, then evaluated against a metrics object
 * or translated to PromQL; nothing is ever handed to `eval`.
 */

export type Comparison = '>' | '>=' | '<' | '<=' | '==' | '!=';
export type Arithmetic = '+' | '-' | '*' | '/';

export type Expression =
  | { kind: 'number'; value: number }
  | { kind: 'threshold' }
  | { kind: 'path'; path: string }
  | { kind: 'negate'; operand: Expression }
  | { kind: 'binary'; op: Arithmetic; left: Expression; right: Expression };

/** A parsed condition: a comparison of two expressions. */
export interface Condition {
  op: Comparison;
  left: Expression;
  right: Expression;
  /** Every metric path it reads, in order of appearance. */
  paths: string[];
}

export class ConditionError extends Error {
  override name = 'ConditionError';
}

type Token = { type: 'number'; value: number; at: number } | { type: 'name'; value: string; at: number } | { type: 'op'; value: string; at: number };

const tokenPattern = /(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*)|(>=|<=|==|!=|[<>+\-*/()])/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  for (;;) {
    while (at < text.length && /\s/.test(text[at]!)) at++;
    if (at >= text.length) return tokens;
    tokenPattern.lastIndex = at;
    const match = tokenPattern.exec(text);
    if (!match) throw new ConditionError(`unexpected "${text[at]}" at character ${at + 1}`);
    if (match[1] !== undefined) tokens.push({ type: 'number', value: Number(match[1]), at });
    else if (match[2] !== undefined) tokens.push({ type: 'name', value: match[2], at });
    else tokens.push({ type: 'op', value: match[3]!, at });
    at = tokenPattern.lastIndex;
  }
}

const comparisons = new Set(['>', '>=', '<', '<=', '==', '!=']);

/**
 * Parses `text`, accepting only the paths in `knownPaths`; throws a ConditionError saying what is
 * wrong and where. The whole condition must be one comparison, and must read at least one metric.
 */
export function parseCondition(text: string, knownPaths: ReadonlySet<string>): Condition {
  const tokens = tokenize(text);
  let next = 0;
  const paths: string[] = [];
  const peek = () => tokens[next];
  const describe = (token: Token | undefined) => (token ? `"${token.value}" at character ${token.at + 1}` : 'the end');
  const expectOp = (value: string) => {
    const token = tokens[next];
    if (token?.type !== 'op' || token.value !== value) throw new ConditionError(`expected "${value}" but found ${describe(token)}`);
    next++;
  };

  const primary = (): Expression => {
    const token = tokens[next++];
    if (!token) throw new ConditionError('the condition ends too early');
    if (token.type === 'number') return { kind: 'number', value: token.value };
    if (token.type === 'name') {
      if (token.value === 'threshold') return { kind: 'threshold' };
      if (!knownPaths.has(token.value)) {
        throw new ConditionError(`unknown metric "${token.value}"; known: ${[...knownPaths].join(', ')}`);
      }
      paths.push(token.value);
      return { kind: 'path', path: token.value };
    }
    if (token.value === '(') {
      const inner = additive();
      expectOp(')');
      return inner;
    }
    if (token.value === '-') return { kind: 'negate', operand: primary() };
    throw new ConditionError(`unexpected ${describe(token)}`);
  };
  const term = (): Expression => {
    let left = primary();
    for (let token = peek(); token?.type === 'op' && (token.value === '*' || token.value === '/'); token = peek()) {
      next++;
      left = { kind: 'binary', op: token.value as Arithmetic, left, right: primary() };
    }
    return left;
  };
  const additive = (): Expression => {
    let left = term();
    for (let token = peek(); token?.type === 'op' && (token.value === '+' || token.value === '-'); token = peek()) {
      next++;
      left = { kind: 'binary', op: token.value as Arithmetic, left, right: term() };
    }
    return left;
  };

  const left = additive();
  const token = tokens[next++];
  if (token?.type !== 'op' || !comparisons.has(token.value)) {
    throw new ConditionError(`expected a comparison (> >= < <= == !=) but found ${describe(token)}`);
  }
  const right = additive();
  if (next < tokens.length) throw new ConditionError(`unexpected ${describe(tokens[next])} after the comparison`);
  if (paths.length === 0) throw new ConditionError('the condition reads no metric');
  return { op: token.value as Comparison, left, right, paths };
}

/** The value of a dotted path (`cpu.usage`, `cpu.load[0]`) in `metrics`; NaN when absent. */
export function readPath(metrics: unknown, path: string): number {
  let value: unknown = metrics;
  for (const part of path.split(/\.|(?=\[)/)) {
    const index = /^\[(\d+)\]$/.exec(part);
    if (value === null || typeof value !== 'object') return Number.NaN;
    value = index ? (value as unknown[])[Number(index[1])] : (value as Record<string, unknown>)[part];
  }
  return typeof value === 'number' ? value : Number.NaN;
}

/** Evaluates one side of a condition; arithmetic follows IEEE rules (x / 0 is ±Infinity, 0 / 0 NaN), as PromQL's does. */
export function evaluateExpression(expression: Expression, metrics: unknown, threshold: number): number {
  switch (expression.kind) {
    case 'number':
      return expression.value;
    case 'threshold':
      return threshold;
    case 'path':
      return readPath(metrics, expression.path);
    case 'negate':
      return -evaluateExpression(expression.operand, metrics, threshold);
    case 'binary': {
      const a = evaluateExpression(expression.left, metrics, threshold);
      const b = evaluateExpression(expression.right, metrics, threshold);
      return expression.op === '+' ? a + b : expression.op === '-' ? a - b : expression.op === '*' ? a * b : a / b;
    }
  }
}

/**
 * Whether the condition holds, and the value of its left side (what the alert reports). A comparison
 * with NaN never holds, so a ratio over no requests neither fires nor keeps an alert firing.
 */
export function evaluateCondition(condition: Condition, metrics: unknown, threshold: number): { holds: boolean; value: number } {
  const value = evaluateExpression(condition.left, metrics, threshold);
  const right = evaluateExpression(condition.right, metrics, threshold);
  const holds =
    condition.op === '>'
      ? value > right
      : condition.op === '>='
        ? value >= right
        : condition.op === '<'
          ? value < right
          : condition.op === '<='
            ? value <= right
            : condition.op === '=='
              ? value === right
              : value !== right;
  return { holds, value };
}

/** The condition in PromQL, each path replaced by `promql(path)` and `threshold` by its number. */
export function conditionToPromQL(condition: Condition, threshold: number, promql: (path: string) => string): string {
  const render = (expression: Expression, parent: number): string => {
    switch (expression.kind) {
      case 'number':
        return String(expression.value);
      case 'threshold':
        return String(threshold);
      case 'path':
        return `(${promql(expression.path)})`;
      case 'negate':
        return `-${render(expression.operand, 3)}`;
      case 'binary': {
        const precedence = expression.op === '+' || expression.op === '-' ? 1 : 2;
        // The right operand needs parentheses at equal precedence too: a - (b - c).
        const text = `${render(expression.left, precedence)} ${expression.op} ${render(expression.right, precedence + 0.5)}`;
        return precedence < parent ? `(${text})` : text;
      }
    }
  };
  return `${render(condition.left, 0)} ${condition.op} ${render(condition.right, 0)}`;
}
