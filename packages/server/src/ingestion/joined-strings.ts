/**
 * A list of strings kept as one: their concatenation and where each ends. Events waiting for their
 * commit are what survives the main thread's young-generation collections under load, and a
 * collection copies every surviving object: one string per batch costs one copy, and past 128 KB V8
 * allocates it in large-object space, where a collection moves no bytes at all. `at` returns a slice,
 * which V8 makes without copying; a slice keeps the whole string alive, which suits the bus's
 * consumers: they parse an event, or hold its JSON only until it is sent.
 *
 * @example
 * const json = JoinedStrings.of(['{"a":1}', '{"b":2}']);
 * json.at(1); // '{"b":2}'
 */
export class JoinedStrings {
  private constructor(
    private readonly text: string,
    private readonly ends: Uint32Array,
  ) {}

  static of(strings: readonly string[]): JoinedStrings {
    const ends = new Uint32Array(strings.length);
    let end = 0;
    for (let i = 0; i < strings.length; i++) ends[i] = end += strings[i]!.length;
    return new JoinedStrings(strings.join(''), ends);
  }

  get length(): number {
    return this.ends.length;
  }

  at(index: number): string {
    return this.text.slice(index === 0 ? 0 : this.ends[index - 1], this.ends[index]);
  }
}
