import { Environment, Interpreter, parse, tokenize } from '@huggingface/jinja';

/**
 * Typed access to `@huggingface/jinja`'s runtime. The library exports only `Environment`,
 * `Interpreter`, `tokenize` and `parse`; its value classes are reachable only through values it
 * creates, so they are taken from those once, at load. The sandboxed interpreter subclasses the
 * library's `Interpreter` through {@link InterpreterBase}, whose methods the library declares private.
 */

/** Any runtime value of the library. `value` holds the JS payload (a Map for objects). */
export interface RuntimeValue {
  type: string;
  value: unknown;
  readonly builtins: ReadonlyMap<string, RuntimeValue>;
  __bool__(): { value: boolean };
  toString(): string;
}

type ValueClass<T> = new (value: T) => RuntimeValue & { value: T };

/** An AST node of the library's parser (`Program`, `For`, `MemberExpression`, …). */
export interface AstNode {
  type: string;
  [key: string]: unknown;
}

export interface ProgramNode extends AstNode {
  body: AstNode[];
}

/** The library's scope; `variables` is the own map of one level. */
export interface Scope {
  parent?: Scope;
  variables: Map<string, RuntimeValue>;
  lookupVariable(name: string): RuntimeValue;
  setVariable(name: string, value: RuntimeValue): RuntimeValue;
}

/** The library's `Interpreter`, with the members Herald overrides or calls made visible. */
interface InterpreterInternals {
  evaluate(node: AstNode | undefined, scope: Scope): RuntimeValue;
  evaluateBlock(statements: AstNode[], scope: Scope): RuntimeValue;
  evaluateFor(node: AstNode, scope: Scope): RuntimeValue;
  evaluateIf(node: AstNode, scope: Scope): RuntimeValue;
  evaluateUnaryExpression(node: AstNode, scope: Scope): RuntimeValue;
  evaluateBinaryExpression(node: AstNode, scope: Scope): RuntimeValue;
  evaluateMemberExpression(node: AstNode, scope: Scope): RuntimeValue;
  evaluateSliceExpression(object: RuntimeValue, node: AstNode, scope: Scope): RuntimeValue;
  evaluateArguments(args: AstNode[], scope: Scope): [RuntimeValue[], Map<string, RuntimeValue>];
  applyFilter(operand: RuntimeValue, filter: AstNode, scope: Scope): RuntimeValue;
  run(program: ProgramNode): RuntimeValue;
}

export const InterpreterBase = Interpreter as unknown as new (scope: Scope) => InterpreterInternals;

const scopePrototype = Environment.prototype as object;
const tests = (new Environment() as unknown as { tests: unknown }).tests;

/**
 * Creates a scope, optionally nested in a parent: a library `Environment` without the per-scope
 * `namespace` function its constructor allocates (Herald's global scope defines `namespace` once).
 */
export function createScope(parent?: Scope): Scope {
  const scope = Object.create(scopePrototype) as Scope & { tests: unknown };
  scope.variables = new Map();
  scope.tests = tests;
  scope.parent = parent;
  return scope;
}

/** Tokenises and parses a template source; throws the library's error on invalid input. */
export function parseProgram(source: string): ProgramNode {
  return parse(tokenize(source));
}

type Fn = (args: RuntimeValue[], scope: Scope) => RuntimeValue;

const probe = new Environment();
const sample = (value: unknown): RuntimeValue => probe.set(`v${probe.variables.size}`, value);
const classOf = <T>(value: RuntimeValue): ValueClass<T> => value.constructor as ValueClass<T>;

export const IntegerValue = classOf<number>(sample(1));
export const FloatValue = classOf<number>(sample(1.5));
export const StringValue = classOf<string>(sample(''));
export const BooleanValue = classOf<boolean>(sample(true));
export const ObjectValue = classOf<Map<string, RuntimeValue>>(sample({}));
export const ArrayValue = classOf<RuntimeValue[]>(sample([]));
export const NullValue = classOf<null>(sample(null));
export const UndefinedValue = classOf<undefined>(sample(undefined));
export const FunctionValue = classOf<Fn>(sample(() => null));
/** The library's `namespace()` global. */
export const NAMESPACE = (probe as unknown as Scope).lookupVariable('namespace');
export const NamespaceValue = classOf<Map<string, RuntimeValue>>((NAMESPACE.value as Fn)([], probe));
export const RuntimeValueBase = Object.getPrototypeOf(IntegerValue) as ValueClass<unknown>;

export type StringValue = InstanceType<typeof StringValue>;
export type ObjectValue = InstanceType<typeof ObjectValue>;
export type ArrayValue = InstanceType<typeof ArrayValue>;

export const UNDEFINED: RuntimeValue = new UndefinedValue(undefined);
export const NULL: RuntimeValue = new NullValue(null);
const TRUE: RuntimeValue = new BooleanValue(true);
const FALSE: RuntimeValue = new BooleanValue(false);

/**
 * Builds values of a library class without running its constructor: the library declares `type`
 * with class fields that every subclass redefines, which makes construction several times slower
 * than these plain stores. The own properties match the constructor's, in the same order.
 */
function factory<T>(cls: ValueClass<T>): (value: T) => RuntimeValue & { value: T } {
  const sample = new cls(undefined as T) as RuntimeValue & Record<string, unknown>;
  const { type } = sample;
  const prototype = cls.prototype as object;
  if ('_builtins' in sample) {
    return (value) => {
      const made = Object.create(prototype) as RuntimeValue & { value: T; _builtins: undefined };
      made.type = type;
      made.value = value;
      made._builtins = undefined;
      return made;
    };
  }
  return (value) => {
    const made = Object.create(prototype) as RuntimeValue & { value: T };
    made.type = type;
    made.value = value;
    return made;
  };
}

/**
 * An instance of a library value class (or a subclass of one) made without its constructor, with these
 * own fields: for Herald's values, which the library's constructors would give a `value` of their own.
 */
export function withoutConstructor<T>(cls: { prototype: object }, fields: Record<string, unknown>): T {
  return Object.assign(Object.create(cls.prototype) as object, fields) as T;
}

const makeString = factory(StringValue);
const makeInteger = factory(IntegerValue);
const makeFloat = factory(FloatValue);
const makeArray = factory(ArrayValue);

/** Wraps runtime values as a list value. */
export function list(items: RuntimeValue[]): RuntimeValue & { value: RuntimeValue[] } {
  return makeArray(items);
}

export function bool(value: boolean): RuntimeValue {
  return value ? TRUE : FALSE;
}

/** Wraps a native function as a template-callable value. */
export function fn(body: Fn): RuntimeValue {
  return new FunctionValue(body);
}

export function str(value: string): RuntimeValue {
  return makeString(value);
}

export function num(value: number): RuntimeValue {
  return Number.isInteger(value) ? makeInteger(value) : makeFloat(value);
}

export function isString(value: RuntimeValue): value is StringValue {
  return value instanceof StringValue;
}

export function isNumber(value: RuntimeValue): value is RuntimeValue & { value: number } {
  return value instanceof IntegerValue || value instanceof FloatValue;
}

export function isArray(value: RuntimeValue): value is ArrayValue {
  return value instanceof ArrayValue;
}

/** Mappings: plain objects, Herald's views (events, resources, label divers) and namespaces. */
export function isMapping(value: RuntimeValue): value is RuntimeValue & { value: Map<string, RuntimeValue> } {
  return value instanceof ObjectValue || value instanceof NamespaceValue;
}

export function isUndefined(value: RuntimeValue): boolean {
  return value instanceof UndefinedValue;
}

export function isNull(value: RuntimeValue): boolean {
  return value instanceof NullValue;
}

/** Splits a library keyword-arguments value off the end of a call's arguments. */
export function splitArgs(args: RuntimeValue[]): { positional: RuntimeValue[]; keywords: Map<string, RuntimeValue> } {
  const last = args.at(-1);
  if (last !== undefined && last.type === 'KeywordArgumentsValue') {
    return { positional: args.slice(0, -1), keywords: last.value as Map<string, RuntimeValue> };
  }
  return { positional: args, keywords: new Map() };
}
