import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { AlertRule, type AlertRule as AlertRuleType } from '@dema/contracts';
import { ConditionError, parseCondition, type Condition } from './condition.ts';
import { parseDuration } from './duration.ts';
import { metricPaths } from './metric-paths.ts';

/** The seed's two rules, as shipped in config/alert-rules.json. */
export const defaultAlertRules: AlertRuleType[] = [
  { name: 'High CPU Usage', condition: 'cpu.usage > threshold', threshold: 80, duration: '5m', severity: 'warning', channels: ['slack', 'email'] },
  {
    name: 'High Error Rate',
    condition: 'requests.failed / requests.total > threshold',
    threshold: 0.01,
    duration: '1m',
    severity: 'critical',
    channels: ['slack', 'sms', 'email'],
  },
];

/** Where the shipped rules file lives, whatever the working directory. */
export const defaultRulesFile = fileURLToPath(new URL('../../../config/alert-rules.json', import.meta.url));

/** A rule with its condition parsed and its duration in milliseconds, ready to evaluate. */
export interface ParsedRule {
  rule: AlertRuleType;
  condition: Condition;
  durationMs: number;
}

export class AlertRulesError extends Error {
  override name = 'AlertRulesError';
}

const validateRules = new Ajv({ allErrors: true, strict: false }).compile<AlertRuleType[]>({
  type: 'array',
  items: AlertRule,
});

/** Ajv's errors in a person's words: a union of literals reads "must be one of: a, b". */
function describeSchemaErrors(errors: ErrorObject[]): string[] {
  const allowed = new Map<string, unknown[]>();
  for (const e of errors) if (e.keyword === 'const') allowed.set(e.instancePath, [...(allowed.get(e.instancePath) ?? []), e.params.allowedValue]);
  const problems = errors
    .filter((e) => e.keyword !== 'const')
    .map((e) =>
      e.keyword === 'anyOf' && allowed.has(e.instancePath)
        ? `${e.instancePath} must be one of: ${allowed.get(e.instancePath)!.join(', ')}`
        : `${e.instancePath || '/'} ${e.message}`,
    );
  return [...new Set(problems)];
}

/** Parses one rule's condition and duration; throws AlertRulesError naming the rule and the field. */
export function parseRule(rule: AlertRuleType): ParsedRule {
  try {
    return { rule, condition: parseCondition(rule.condition, metricPaths), durationMs: parseDuration(rule.duration) };
  } catch (error) {
    const field = error instanceof ConditionError ? 'condition' : 'duration';
    throw new AlertRulesError(`rule "${rule.name}": ${field}: ${(error as Error).message}`);
  }
}

/**
 * Checks rules in the seed's AlertRule form (a JSON value already parsed): every field present and
 * well-typed, names unique, conditions that parse over known metrics. Throws one AlertRulesError
 * listing every problem, each with where it is (`/1/threshold`).
 */
export function checkAlertRules(value: unknown, source = 'rules'): ParsedRule[] {
  if (!validateRules(value)) {
    throw new AlertRulesError(`${source}: invalid alert rules:\n  - ${describeSchemaErrors(validateRules.errors ?? []).join('\n  - ')}`);
  }
  const problems: string[] = [];
  const parsed: ParsedRule[] = [];
  const names = new Set<string>();
  value.forEach((rule, i) => {
    if (names.has(rule.name)) problems.push(`/${i}/name: "${rule.name}" is used by an earlier rule; names identify alerts`);
    names.add(rule.name);
    try {
      parsed.push(parseRule(rule));
    } catch (error) {
      problems.push(`/${i}/${(error as Error).message.replace(/^rule "[^"]*": /, '')}`);
    }
  });
  if (problems.length > 0) throw new AlertRulesError(`${source}: invalid alert rules:\n  - ${problems.join('\n  - ')}`);
  return parsed;
}

/**
 * Reads a rules file: a JSON (or YAML, by extension) array of AlertRule, or an object with a
 * `rules` array. Throws AlertRulesError naming the file when it is missing or invalid.
 */
export async function loadAlertRules(file: string = defaultRulesFile): Promise<ParsedRule[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AlertRulesError(`cannot read the alert rules file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let value: unknown;
  try {
    value = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new AlertRulesError(`${file}: not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(error as Error).message}`);
  }
  if (value && typeof value === 'object' && !Array.isArray(value) && 'rules' in value) value = (value as { rules: unknown }).rules;
  return checkAlertRules(value, path.relative(process.cwd(), file) || file);
}
