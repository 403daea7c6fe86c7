import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { classifyAddress, isAddressAllowed, isMetadataHostname, refusalReason } from './address-policy.js';

/** Limits of one outbound request. */
export interface SafeHttpOptions {
  /** Allow private, loopback and unique-local addresses. Metadata and link-local stay refused. */
  allowPrivateNetworks: boolean;
  /** Whole-request deadline: connect, send and read the response. */
  timeoutMs: number;
}

/** One outbound request. The body is sent verbatim; an empty body sends no bytes. */
export interface SafeHttpRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

/** A response of any status: redirects are not followed, so a 3xx comes back as it is. */
export interface SafeHttpResponse {
  ok: true;
  status: number;
  headers: Record<string, string>;
  /** The body as text; bodies over 1 MiB keep their first MiB and their last 4 KiB. */
  body: string;
  /** Bytes left out of `body` when the response was larger than what is kept. */
  omittedBytes: number;
}

/**
 * Why no response came back. `refused` and `invalid-request` (a bad URL, method or header) are the
 * caller's configuration and are
 * not worth retrying; `network` and `timeout` may succeed later.
 */
export interface SafeHttpFailure {
  ok: false;
  kind: 'invalid-request' | 'refused' | 'network' | 'timeout';
  message: string;
}

const MAX_KEPT_BYTES = 1024 * 1024;
const TAIL_BYTES = 4096;

/**
 * Sends one HTTP(S) request without letting it reach forbidden addresses. The host name is resolved
 * once; every resolved address is checked, and the socket connects to the checked addresses (the
 * request keeps its `Host` header and TLS server name), so a second DNS answer cannot redirect it.
 *
 * @example
 * const result = await sendSafeHttpRequest(
 *   { url: 'https://hooks.example.com/x', method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' },
 *   { allowPrivateNetworks: false, timeoutMs: 10_000 },
 * );
 * if (result.ok) console.log(result.status);
 */
export async function sendSafeHttpRequest(request: SafeHttpRequest, options: SafeHttpOptions): Promise<SafeHttpResponse | SafeHttpFailure> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return { ok: false, kind: 'invalid-request', message: 'the URL is not valid' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, kind: 'invalid-request', message: `the URL scheme must be http or https, got ${url.protocol.replace(/:$/, '')}` };
  }
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  if (isMetadataHostname(hostname)) return { ok: false, kind: 'refused', message: `${hostname} is a cloud metadata endpoint` };

  const deadline = Date.now() + options.timeoutMs;
  const resolved = await resolveChecked(hostname, options, options.timeoutMs);
  if (!Array.isArray(resolved)) return resolved;
  return send(url, request, resolved, Math.max(1, deadline - Date.now()));
}

interface CheckedAddress {
  address: string;
  family: 4 | 6;
}

/** The checked addresses of a host, in resolver order; never empty. */
type CheckedAddresses = [CheckedAddress, ...CheckedAddress[]];

async function resolveChecked(hostname: string, options: SafeHttpOptions, timeoutMs: number): Promise<CheckedAddresses | SafeHttpFailure> {
  let addresses: { address: string; family: number }[];
  const literal = isIP(hostname);
  if (literal !== 0) {
    addresses = [{ address: hostname, family: literal }];
  } else {
    try {
      addresses = await withTimeout(dnsLookup(hostname, { all: true, verbatim: true }), timeoutMs);
    } catch (error) {
      if (error instanceof DeadlineError)
        return { ok: false, kind: 'timeout', message: `resolving ${hostname} timed out after ${timeoutMs} ms` };
      return { ok: false, kind: 'network', message: `could not resolve ${hostname}: ${errorMessage(error)}` };
    }
  }
  // Every answer must pass: otherwise a name with one public and one private record could be
  // used to reach the private one on a later lookup by some other component.
  for (const { address } of addresses) {
    const cls = classifyAddress(address);
    if (!isAddressAllowed(cls, options)) return { ok: false, kind: 'refused', message: refusalReason(address, cls) };
  }
  const checked = addresses.map((a): CheckedAddress => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
  const [first, ...rest] = checked;
  if (!first) return { ok: false, kind: 'network', message: `${hostname} has no address` };
  return [first, ...rest];
}

function send(
  url: URL,
  request: SafeHttpRequest,
  targets: CheckedAddresses,
  timeoutMs: number,
): Promise<SafeHttpResponse | SafeHttpFailure> {
  // The connection goes to the addresses checked above, whatever the resolver would say now.
  // With `all`, Node tries them in turn (happy eyeballs), e.g. ::1 then 127.0.0.1 for localhost.
  const pinnedLookup: LookupFunction = (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all) callback(null, targets);
    else callback(null, targets[0].address, targets[0].family);
  };
  const body = Buffer.from(request.body, 'utf8');
  const headers: Record<string, string> = { ...request.headers };
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-length') && (body.length > 0 || request.method !== 'GET')) {
    headers['content-length'] = String(body.length);
  }
  const client = url.protocol === 'https:' ? https : http;

  return new Promise((resolve) => {
    let settled = false;
    let req: http.ClientRequest | undefined;
    const finish = (result: SafeHttpResponse | SafeHttpFailure) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const timer = setTimeout(() => {
      finish({ ok: false, kind: 'timeout', message: `no complete response within ${timeoutMs} ms` });
      req?.destroy();
    }, timeoutMs);
    try {
      req = client.request(
        {
          protocol: url.protocol,
          hostname: url.hostname.replace(/^\[|\]$/g, ''),
          port: url.port === '' ? undefined : Number(url.port),
          path: `${url.pathname}${url.search}`,
          method: request.method,
          headers,
          lookup: pinnedLookup,
          agent: false,
          auth: url.username || url.password ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined,
        },
        (res) => {
          const head: Buffer[] = [];
          let headBytes = 0;
          let tail = Buffer.alloc(0);
          let omitted = 0;
          res.on('data', (chunk: Buffer) => {
            if (headBytes < MAX_KEPT_BYTES) {
              const take = chunk.subarray(0, MAX_KEPT_BYTES - headBytes);
              head.push(take);
              headBytes += take.length;
              chunk = chunk.subarray(take.length);
            }
            if (chunk.length > 0) {
              const joined = Buffer.concat([tail, chunk]);
              omitted += Math.max(0, joined.length - TAIL_BYTES);
              tail = joined.subarray(Math.max(0, joined.length - TAIL_BYTES));
            }
          });
          res.on('end', () => {
            const text =
              omitted > 0 ? Buffer.concat(head).toString('utf8') + tail.toString('utf8') : Buffer.concat([...head, tail]).toString('utf8');
            finish({ ok: true, status: res.statusCode ?? 0, headers: flattenHeaders(res.headers), body: text, omittedBytes: omitted });
          });
          res.on('error', (error) => finish({ ok: false, kind: 'network', message: errorMessage(error) }));
        },
      );
    } catch (error) {
      // Node validates the method and header values synchronously.
      finish({ ok: false, kind: 'invalid-request', message: errorMessage(error) });
      return;
    }
    req.on('error', (error) => finish({ ok: false, kind: 'network', message: errorMessage(error) }));
    req.end(body);
  });
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

class DeadlineError extends Error {}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DeadlineError()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
