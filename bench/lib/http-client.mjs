// A keep-alive JSON client for the orchestrator's own requests (queries, checks). One connection, so
// that measured query times include no connection set-up.
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const TIMEOUT_MS = 60_000;

/**
 * Sends one request and resolves with `{ status, json, ms }`: `ms` runs from sending the request to
 * the last byte of the answer; `json` is the parsed body, or null when there is none.
 */
export async function requestJson(url, options = {}) {
  const { status, text, ms } = await requestText(url, options);
  return { status, json: text ? JSON.parse(text) : null, ms };
}

/** Like {@link requestJson}, with the body as text: `{ status, text, ms }`. */
export function requestText(url, { method = 'GET', body } = {}) {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers = text === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request(url, { method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const ms = performance.now() - t0;
        resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8'), ms });
      });
    });
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end(text);
  });
}

/** Closes the kept-alive connection. */
export function closeHttpClient() {
  agent.destroy();
}
