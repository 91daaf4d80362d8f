import { Kind, parse, visit, type ASTNode, type DocumentNode, type GraphQLError, type Source, type ValueNode } from 'graphql';
import type { InvalidParam } from '@dema/contracts';

/**
 * Where each argument value of an operation sits, as Dema names the arguments of its errors
 * (`input.items.0.quantity`, as `problemError` names REST's fields): by node, and for each variable
 * the first place it is used.
 */
interface ArgumentPaths {
  byNode: Map<string, string[]>;
  byVariable: Map<string, string[]>;
}

// Nodes of a re-parse are other objects than the ones an error holds: they are matched by kind and offset.
const nodeKey = (node: ASTNode): string | undefined => (node.loc ? `${node.kind}@${node.loc.start}` : undefined);

function argumentPaths(document: DocumentNode): ArgumentPaths {
  const paths: ArgumentPaths = { byNode: new Map(), byVariable: new Map() };
  const note = (node: ASTNode, path: string[]) => {
    const key = nodeKey(node);
    if (key !== undefined) paths.byNode.set(key, path);
  };
  const walk = (value: ValueNode, path: string[]) => {
    note(value, path);
    if (value.kind === Kind.VARIABLE && !paths.byVariable.has(value.name.value)) paths.byVariable.set(value.name.value, path);
    if (value.kind === Kind.OBJECT) {
      for (const field of value.fields) {
        note(field, [...path, field.name.value]);
        walk(field.value, [...path, field.name.value]);
      }
    }
    if (value.kind === Kind.LIST) for (const [i, item] of value.values.entries()) walk(item, [...path, String(i)]);
  };
  visit(document, {
    Argument(node) {
      note(node, [node.name.value]);
      walk(node.value, [node.name.value]);
      return false;
    },
  });
  return paths;
}

/** The operations read again while formatting one answer's errors, each once. */
export type ParsedOperations = Map<Source, ArgumentPaths | undefined>;

const variableProblem = /^Variable "\$(\w+)" (?:got invalid value .*? at "\w+((?:\.\w+|\[\d+\])*)"; |got invalid value .*?; )?([\s\S]*)$/;
const missingField = /^Field "\w+\.(\w+)" of required type "[^"]+" was not provided\.$/;
const missingArgument = /^Field "\w+" argument "(\w+)" of type "[^"]+" is required, but it was not provided\.$/;

/**
 * The argument a validation or variable error of GraphQL's own is about, named as the operation's
 * field takes it, with why (`{ name: "input.items.0.quantity", reason: "Int cannot represent …" }`);
 * undefined for an error about something else (an unknown field, a fragment). Reads the operation
 * again from the error's source: only refused operations pay for it.
 */
export function invalidArgument(error: GraphQLError, parsed: ParsedOperations): InvalidParam | undefined {
  const source = error.source;
  if (source === undefined || error.nodes === undefined) return undefined;
  if (!parsed.has(source)) {
    let paths: ArgumentPaths | undefined;
    try {
      paths = argumentPaths(parse(source));
    } catch {
      paths = undefined;
    }
    parsed.set(source, paths);
  }
  const paths = parsed.get(source);
  if (paths === undefined) return undefined;

  const variable = variableProblem.exec(error.message);
  if (variable) {
    const [, name, at, rest] = variable as unknown as [string, string, string | undefined, string];
    const used = paths.byVariable.get(name);
    if (used === undefined) return undefined;
    const inside = (at ?? '')
      .replace(/\[(\d+)\]/g, '.$1')
      .split('.')
      .filter(Boolean);
    const reason = / was not provided\.$/.test(rest) ? 'is required' : / must not be null\.$/.test(rest) ? 'must not be null' : rest;
    return { name: [...used, ...inside].join('.'), reason };
  }
  const required = missingArgument.exec(error.message);
  if (required) return { name: required[1]!, reason: 'is required' };
  for (const node of error.nodes) {
    const path = paths.byNode.get(nodeKey(node) ?? '');
    if (path === undefined) continue;
    const field = missingField.exec(error.message);
    if (field) return { name: [...path, field[1]!].join('.'), reason: 'is required' };
    if (node.kind === Kind.ARGUMENT && error.message.startsWith('Unknown argument')) return { name: path.join('.'), reason: 'is not a known argument' };
    if (node.kind === Kind.OBJECT_FIELD && / is not defined by type /.test(error.message)) return { name: path.join('.'), reason: 'is not a known field' };
    return { name: path.join('.'), reason: error.message };
  }
  return undefined;
}
