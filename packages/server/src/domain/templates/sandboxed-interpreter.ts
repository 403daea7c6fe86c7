import {
  ArrayValue,
  InterpreterBase,
  bool,
  NamespaceValue,
  ObjectValue,
  createScope,
  list,
  UNDEFINED,
  fn,
  isArray,
  isMapping,
  isNull,
  isNumber,
  isString,
  isUndefined,
  num,
  splitArgs,
  str,
  type AstNode,
  type RuntimeValue,
  type Scope,
  type StringValue,
} from './jinja-runtime.js';
import {
  ARRAY_BUILTINS,
  BLOCKED,
  BLOCKS,
  BREAK,
  CONTINUE,
  MAPPING_BUILTINS,
  MUTATORS,
  SILENT,
  STRING_BUILTINS,
  literal,
  lookup,
  operatorOf,
  truthy,
  valuesEqual,
} from './interpreter-helpers.js';
import { HERALD_FILTERS, replace, type FilterHost } from './template-filters.js';
import { LoopValue, ViewValue } from './template-values.js';
import { printValue, type Meter } from './value-printer.js';

/** Limits of one render (the public {@link RenderBudget} resolved against a clock). */
interface RenderLimits {
  /** `performance.now()` value after which the render fails. */
  deadline: number;
  /** Largest output, and largest single produced value, in characters. */
  maxChars: number;
  uiUrl: string | null;
  now(): number;
}

/** A render stopped because it ran out of time or space. */
export class TemplateBudgetError extends Error {}

/** Nesting of evaluated nodes beyond which a render fails (deep macro recursion). */
const MAX_DEPTH = 400;
/** Nodes between two clock reads. */
const CLOCK_EVERY = 128;
/** Produced characters per render, intermediate values included, as a multiple of the output budget. */
const ALLOCATION_FACTOR = 16;

/**
 * The library's interpreter with Herald's sandbox: member lookups that cannot reach prototypes or
 * `_` attributes, no mutation, a time budget checked every {@link CLOCK_EVERY} nodes, a size budget
 * checked as values are produced, a recursion bound, JSON printing (DECISIONS 15) and Herald's filters.
 */
export class SandboxedInterpreter extends InterpreterBase implements FilterHost {
  private steps = 0;
  private depth = 0;
  private output = 0;
  private allocated = 0;

  constructor(
    scope: Scope,
    private readonly limits: RenderLimits,
  ) {
    super(scope);
  }

  get uiUrl(): string | null {
    return this.limits.uiUrl;
  }

  now(): number {
    return this.limits.now();
  }

  tick(): void {
    if (++this.steps % CLOCK_EVERY === 0 && performance.now() > this.limits.deadline) {
      throw new TemplateBudgetError('the render took longer than its time budget');
    }
  }

  reserve(chars: number): void {
    if (chars > this.limits.maxChars) {
      throw new TemplateBudgetError(`a value of ${chars} characters exceeds the size budget of ${this.limits.maxChars}`);
    }
    this.allocate(chars);
  }

  private allocate(chars: number): void {
    this.allocated += chars;
    if (this.allocated > this.limits.maxChars * ALLOCATION_FACTOR) {
      throw new TemplateBudgetError('the render produced more text than its size budget allows');
    }
  }

  valueMeter(): Meter {
    let used = 0;
    return {
      charge: (chars: number) => {
        used += chars;
        if (used > this.limits.maxChars) {
          throw new TemplateBudgetError(`a value exceeds the size budget of ${this.limits.maxChars} characters`);
        }
        this.allocate(chars);
      },
      tick: () => this.tick(),
    };
  }

  /** Prints one value as template output and counts it against the output budget. */
  print(value: RuntimeValue): string {
    const text = printValue(value, this.valueMeter());
    this.output += text.length;
    if (this.output > this.limits.maxChars) {
      throw new TemplateBudgetError(`the output exceeds the size budget of ${this.limits.maxChars} characters`);
    }
    return text;
  }

  override evaluate(node: AstNode | undefined, scope: Scope): RuntimeValue {
    this.tick();
    if (node !== undefined) {
      // Hot paths, without the library's allocations: literals are immutable values made once per
      // AST node; identifiers resolve without the library's throw-and-catch on a miss.
      switch (node.type) {
        case 'StringLiteral':
        case 'IntegerLiteral':
        case 'FloatLiteral':
          return literal(node);
        case 'Identifier':
          return lookup(scope, node.value as string);
        case 'Break':
          throw BREAK;
        case 'Continue':
          throw CONTINUE;
      }
    }
    if (++this.depth > MAX_DEPTH) {
      this.depth--;
      throw new TemplateBudgetError('the template nests too deeply (recursive macro?)');
    }
    try {
      return super.evaluate(node, scope);
    } finally {
      this.depth--;
    }
  }

  /**
   * Jinja's `for`, replacing the library's: no scope and no `loop` fields allocated per item, undefined
   * iterates as empty (Jinja's chainable undefined), strings iterate by character.
   */
  override evaluateFor(node: AstNode, scope: Scope): RuntimeValue {
    const loopScope = createScope(scope);
    const source = node.iterable as AstNode;
    const select = source.type === 'SelectExpression';
    let iterable = this.evaluate(select ? (source.lhs as AstNode) : source, loopScope);
    if (isUndefined(iterable)) iterable = list([]);
    else if (isString(iterable)) iterable = list(Array.from(iterable.value, (c) => str(c)));
    else if (iterable instanceof ObjectValue) iterable = (iterable as unknown as { keys(): RuntimeValue }).keys();
    if (!isArray(iterable)) throw new Error(`'${iterable.type}' is not iterable`);
    const target = node.loopvar as AstNode;
    const bind = (into: Scope, item: RuntimeValue): void => {
      if (target.type === 'Identifier') {
        into.setVariable(target.value as string, item);
        return;
      }
      const names = target.value as AstNode[];
      if (!isArray(item) || item.value.length !== names.length) throw new Error(`cannot unpack ${item.type} into ${names.length} names`);
      names.forEach((name, i) => into.setVariable(name.value as string, item.value[i] ?? UNDEFINED));
    };
    let items = iterable.value;
    if (select) {
      items = items.filter((item) => {
        const testScope = createScope(loopScope);
        bind(testScope, item);
        return this.evaluate(source.test as AstNode, testScope).__bool__().value;
      });
    }
    let out = '';
    for (let i = 0; i < items.length; i++) {
      loopScope.setVariable('loop', new LoopValue(items, i));
      bind(loopScope, items[i] ?? UNDEFINED);
      try {
        out += (this.evaluateBlock(node.body as AstNode[], loopScope) as StringValue).value;
      } catch (signal) {
        if (signal === CONTINUE) continue;
        if (signal === BREAK) break;
        throw signal;
      }
    }
    if (items.length === 0) out += (this.evaluateBlock(node.defaultBlock as AstNode[], loopScope) as StringValue).value;
    return str(out);
  }

  override evaluateBlock(statements: AstNode[], scope: Scope): RuntimeValue {
    // Every loop iteration passes here, even with an empty body.
    this.tick();
    let out = '';
    for (const statement of statements) {
      const value = this.evaluate(statement, scope);
      if (SILENT.has(statement.type)) continue;
      out += BLOCKS.has(statement.type) && isString(value) ? value.value : this.print(value);
      if (out.length > this.limits.maxChars) {
        throw new TemplateBudgetError(`the output exceeds the size budget of ${this.limits.maxChars} characters`);
      }
    }
    return str(out);
  }

  override evaluateMemberExpression(node: AstNode, scope: Scope): RuntimeValue {
    const object = this.evaluate(node.object as AstNode, scope);
    const property = node.property as AstNode;
    if (node.computed !== true) return this.member(object, property.value as string | number, false);
    if (property.type === 'SliceExpression') {
      if (!isArray(object) && !isString(object)) return UNDEFINED;
      return this.evaluateSliceExpression(object, property, scope);
    }
    const key = this.evaluate(property, scope);
    return isString(key) || isNumber(key) ? this.member(object, key.value, true) : UNDEFINED;
  }

  /**
   * Attribute (`x.name`, `attr`) or item (`x['name']`) lookup. Names in {@link BLOCKED} never
   * resolve; `_` names resolve only as data items of a mapping (`body['_id']`), never as attributes.
   */
  member(object: RuntimeValue, key: string | number, subscript: boolean): RuntimeValue {
    if (isUndefined(object) || isNull(object)) return UNDEFINED;
    if (typeof key === 'number') {
      if (!Number.isInteger(key) || !(isArray(object) || isString(object))) return UNDEFINED;
      if (isArray(object)) return object.value.at(key) ?? UNDEFINED;
      const char = object.value.at(key);
      return char === undefined ? UNDEFINED : str(char);
    }
    const name = key;
    if (BLOCKED.has(name) || (!subscript && name.startsWith('_'))) return UNDEFINED;
    if (object instanceof ViewValue) {
      const found = subscript ? object.item(name) : object.attribute(name);
      if (found !== undefined) return found;
    } else if (isMapping(object)) {
      const found = object.value.get(name);
      if (found !== undefined) return found;
      if (object instanceof NamespaceValue) return UNDEFINED;
    }
    if (name.startsWith('_')) return UNDEFINED;
    return this.builtin(object, name);
  }

  private builtin(object: RuntimeValue, name: string): RuntimeValue {
    if (MUTATORS.has(name) && (isArray(object) || isMapping(object))) {
      return fn(() => {
        throw new Error(`SecurityError: '${name}' would modify a value, and templates cannot modify values`);
      });
    }
    if (isString(object) && name === 'replace') {
      return fn((args) => replace(object, splitArgs(args), this));
    }
    // The library builds an object's builtins map on first use; skip that for names it lacks.
    const known = isString(object) ? STRING_BUILTINS : isArray(object) ? ARRAY_BUILTINS : isMapping(object) ? MAPPING_BUILTINS : null;
    if (known === null || !known.has(name)) return UNDEFINED;
    return object.builtins.get(name) ?? UNDEFINED;
  }

  override evaluateIf(node: AstNode, scope: Scope): RuntimeValue {
    const test = this.evaluate(node.test as AstNode, scope);
    return this.evaluateBlock((truthy(test) ? node.body : node.alternate) as AstNode[], scope);
  }

  override evaluateUnaryExpression(node: AstNode, scope: Scope): RuntimeValue {
    if (operatorOf(node) !== 'not') return super.evaluateUnaryExpression(node, scope);
    return bool(!truthy(this.evaluate(node.argument as AstNode, scope)));
  }

  override evaluateBinaryExpression(node: AstNode, scope: Scope): RuntimeValue {
    const operator = operatorOf(node);
    if (operator !== '~' && operator !== '+' && operator !== '*' && operator !== '==' && operator !== '!=') {
      return super.evaluateBinaryExpression(node, scope);
    }
    const left = this.evaluate(node.left as AstNode, scope);
    const right = this.evaluate(node.right as AstNode, scope);
    switch (operator) {
      case '~':
        return this.concat(printValue(left, this.valueMeter()), printValue(right, this.valueMeter()));
      case '+':
        if (isString(left) && isString(right)) return this.concat(left.value, right.value);
        if (isArray(left) && isArray(right)) {
          this.reserve(left.value.length + right.value.length);
          return new ArrayValue(left.value.concat(right.value));
        }
        if (isNumber(left) && isNumber(right)) return num(left.value + right.value);
        throw new Error(`unsupported operand types for +: ${left.type} and ${right.type}`);
      case '*':
        return this.multiply(left, right);
      case '==':
        return bool(valuesEqual(left, right, () => this.tick()));
      case '!=':
        return bool(!valuesEqual(left, right, () => this.tick()));
    }
  }

  private concat(a: string, b: string): RuntimeValue {
    this.reserve(a.length + b.length);
    return str(a + b);
  }

  private multiply(left: RuntimeValue, right: RuntimeValue): RuntimeValue {
    const text = isString(left) ? left : isString(right) ? right : null;
    const times = text === left ? right : left;
    if (text === null) {
      if (isNumber(left) && isNumber(right)) return num(left.value * right.value);
      throw new Error(`unsupported operand types for *: ${left.type} and ${right.type}`);
    }
    if (!isNumber(times) || !Number.isInteger(times.value)) throw new Error(`can't multiply a string by ${times.type}`);
    const count = Math.max(0, times.value);
    this.reserve(text.value.length * count);
    return str(text.value.repeat(count));
  }

  override applyFilter(operand: RuntimeValue, filter: AstNode, scope: Scope): RuntimeValue {
    const callee = filter.type === 'CallExpression' ? (filter.callee as AstNode) : filter;
    const name = callee.type === 'Identifier' ? (callee.value as string) : '';
    const custom = HERALD_FILTERS.get(name);
    const subject = isUndefined(operand) && name !== 'default' && name !== 'd' && name !== 'attr' ? str('') : operand;
    if (custom === undefined) return super.applyFilter(subject, filter, scope);
    const [positional, keywords] =
      filter.type === 'CallExpression' ? this.evaluateArguments(filter.args as AstNode[], scope) : [[], new Map<string, RuntimeValue>()];
    return custom(subject, { positional, keywords }, this);
  }
}
