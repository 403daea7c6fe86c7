import { compileLabelPattern, type LabelPatternMatcher, type Resource, type ResourceSpecification } from '@herald/core';

/** A compiled resource specification: every label must match one of its patterns (spec §2.1). */
type CompiledSpec = [label: string, patterns: LabelPatternMatcher[]][];

/** A shared spec test: on the primary resource, or "some related resource" (each memoised on its input object). */
export interface SpecTest {
  one: (resource: Resource) => boolean;
  any: (candidates: Resource[]) => boolean;
}
/** A shared, memoised name test. */
export type NameTest = (name: string) => boolean;

/**
 * Compiles equal patterns and specs once and shares them between triggers. Each shared test remembers
 * its last input, so when many automations watch the same names or resources (a common shape: one
 * automation per team on `prefect.flow-run.Failed`), an event is tested once, not once per trigger.
 *
 * @example
 * const cache = new MatcherCache();
 * cache.names('expect', ['a.*'], (p) => compileLabelPattern(p))('a.b') // true
 */
export class MatcherCache {
  private readonly nameTests = new Map<string, NameTest>();
  private readonly specTests = new Map<string, SpecTest>();

  /** An OR over `patterns`, compiled with `compile`; `kind` separates differently compiled families. */
  names(kind: string, patterns: string[], compile: (pattern: string) => (name: string) => boolean): NameTest {
    const key = `${kind}\u0000${JSON.stringify([...patterns].sort())}`;
    let test = this.nameTests.get(key);
    if (!test) {
      const matchers = patterns.map(compile);
      let lastName: string | undefined;
      let lastResult = false;
      test = (name) => {
        if (name !== lastName) {
          lastName = name;
          lastResult = matchers.some((m) => m(name));
        }
        return lastResult;
      };
      this.nameTests.set(key, test);
    }
    return test;
  }

  /** Spec §2.1 "includes": the spec is empty, or one candidate satisfies every label. */
  spec(spec: ResourceSpecification): SpecTest {
    const key = JSON.stringify(Object.entries(spec).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let test = this.specTests.get(key);
    if (!test) {
      const compiled: CompiledSpec = Object.entries(spec).map(([label, value]) => [
        label,
        (Array.isArray(value) ? value : [value]).map((p) => compileLabelPattern(p)),
      ]);
      if (compiled.length === 0) test = { one: () => true, any: () => true };
      else {
        let lastOne: Resource | undefined;
        let lastOneResult = false;
        let lastAny: Resource[] | undefined;
        let lastAnyResult = false;
        test = {
          one: (resource) => {
            if (resource !== lastOne) {
              lastOne = resource;
              lastOneResult = specMatches(compiled, resource);
            }
            return lastOneResult;
          },
          any: (candidates) => {
            if (candidates !== lastAny) {
              lastAny = candidates;
              lastAnyResult = candidates.some((r) => specMatches(compiled, r));
            }
            return lastAnyResult;
          },
        };
      }
      this.specTests.set(key, test);
    }
    return test;
  }
}

function specMatches(spec: CompiledSpec, resource: Resource): boolean {
  for (const [label, patterns] of spec) {
    const value = resource[label];
    if (!patterns.some((m) => m(value))) return false;
  }
  return true;
}
