/** A parsed `text.query`: any include term (OR), no exclude term, and every required term (AND). */
export interface TextQuery {
  include: string[];
  exclude: string[];
  required: string[];
}

/**
 * Parses a search query as Prefect does: whitespace separates terms; `-term` and `!term` exclude,
 * `+term` requires; `"quoted phrases"` stay whole, with `\"` and `\\` escapes. Terms are lower-cased.
 *
 * @example
 * parseTextQuery('error -debug +"flow run"') // {include:['error'], exclude:['debug'], required:['flow run']}
 */
export function parseTextQuery(query: string): TextQuery {
  const result: TextQuery = { include: [], exclude: [], required: [] };
  let i = 0;
  while (i < query.length) {
    while (i < query.length && /\s/.test(query[i]!)) i++;
    if (i >= query.length) break;
    let target = result.include;
    const c = query[i]!;
    if ((c === '-' || c === '!' || c === '+') && i + 1 < query.length && !/\s/.test(query[i + 1]!)) {
      target = c === '+' ? result.required : result.exclude;
      i++;
    } else if (c === '-' || c === '!' || c === '+') {
      i++;
      continue;
    }
    let term = '';
    if (query[i] === '"') {
      i++;
      while (i < query.length && query[i] !== '"') {
        if (query[i] === '\\' && (query[i + 1] === '"' || query[i + 1] === '\\')) {
          term += query[i + 1];
          i += 2;
        } else {
          term += query[i];
          i++;
        }
      }
      i++;
    } else {
      while (i < query.length && !/\s/.test(query[i]!) && query[i] !== '"') term += query[i++];
    }
    if (term !== '') target.push(asciiLower(term));
  }
  return result;
}

/** Lower-cases ASCII letters only, as SQLite's `lower()` does, so memory and SQL agree. */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** True when the query has no terms at all (it then filters nothing). */
export function isEmptyTextQuery(q: TextQuery): boolean {
  return q.include.length === 0 && q.exclude.length === 0 && q.required.length === 0;
}
