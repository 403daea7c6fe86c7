import { HeraldClientError, parseApiError } from './herald-api-error.js';
import { SDK_USER_AGENT } from './user-agent.js';

export interface HttpTransportOptions {
  /** The server's base URL, without `/api`. */
  baseUrl: string;
  apiKey: string | undefined;
  /** Per-request deadline in ms. */
  timeoutMs: number;
}

/**
 * Sends JSON requests to Herald with the API key, and turns every failure into a typed error:
 * `HeraldApiError` for an error status, `HeraldClientError('CONNECTION_FAILED' | 'TIMEOUT')` when the
 * server cannot be reached in time.
 *
 * @example
 * const http = new HttpTransport({ baseUrl: 'http://127.0.0.1:4200', apiKey: undefined, timeoutMs: 30_000 });
 * const version = await http.request<string>('GET', '/api/admin/version');
 */
export class HttpTransport {
  readonly #options: HttpTransportOptions;

  constructor(options: HttpTransportOptions) {
    this.#options = options;
  }

  /** Resolves with the parsed JSON body, or `undefined` for an empty one (204). */
  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const url = this.#options.baseUrl + path;
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': SDK_USER_AGENT };
    if (this.#options.apiKey) headers.Authorization = `Bearer ${this.#options.apiKey}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
    } catch (error) {
      throw networkError(url, error, this.#options.timeoutMs);
    }
    const text = await response.text();
    if (!response.ok) throw parseApiError(response.status, text);
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new HeraldClientError('PROTOCOL_ERROR', `${method} ${path} answered ${response.status} with a body that is not JSON`, { cause: error });
    }
  }
}

function networkError(url: string, error: unknown, timeoutMs: number): HeraldClientError {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new HeraldClientError('TIMEOUT', `No answer from ${url} within ${timeoutMs} ms`, { cause: error });
  }
  // fetch reports "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND…) is in the cause.
  const cause = error instanceof Error ? (error.cause as NodeJS.ErrnoException | undefined) : undefined;
  const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return new HeraldClientError('CONNECTION_FAILED', `Cannot reach Herald at ${new URL(url).origin}: ${reason}`, { cause: error });
}
