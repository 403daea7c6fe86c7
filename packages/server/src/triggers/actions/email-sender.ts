import type { JsonValue } from '@herald/core';
import nodemailer from 'nodemailer';
import type { ResolvedConnection } from '../../connections/connection-service.js';

/** The SMTP settings of an `email` connection. */
export interface EmailTarget {
  host: string;
  port: number;
  secure: boolean;
  from: string;
  to: string[];
  username: string | null;
  password: string | null;
}

/** What sending one mail did; a failed send says whether trying later may help. */
export type EmailResult =
  { ok: true; details: Record<string, JsonValue> } | { ok: false; message: string; retryable: boolean; details: Record<string, JsonValue> };

/**
 * Reads an `email` connection: settings `{ host, port, secure, from, to }`, secrets `{ username?, password? }`.
 *
 * @example
 * emailTarget(connection) // { ok: true, target: { host: 'smtp.example.com', port: 587, … } }
 */
export function emailTarget(connection: ResolvedConnection): { ok: true; target: EmailTarget } | { ok: false; problem: string } {
  const { host, port, secure, from, to } = connection.settings;
  if (typeof host !== 'string' || host === '') return { ok: false, problem: 'it has no host' };
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
    return { ok: false, problem: 'its port is not a TCP port' };
  if (typeof from !== 'string' || from === '') return { ok: false, problem: 'it has no from address' };
  const recipients =
    typeof to === 'string' ? [to] : Array.isArray(to) ? to.filter((r): r is string => typeof r === 'string' && r !== '') : [];
  if (recipients.length === 0) return { ok: false, problem: 'it has no recipients' };
  return {
    ok: true,
    target: {
      host,
      port,
      secure: secure === true,
      from,
      to: recipients,
      username: connection.secrets.username || null,
      password: connection.secrets.password || null,
    },
  };
}

/**
 * Sends one plain-text mail over SMTP. SMTP 4xx replies and connection problems are retryable;
 * 5xx replies (rejected recipient, failed authentication) are not.
 *
 * @example
 * await sendEmail(target, { subject: 'Disk full', text: 'on db-1' }, 10_000)
 */
export async function sendEmail(target: EmailTarget, message: { subject: string; text: string }, timeoutMs: number): Promise<EmailResult> {
  const transport = nodemailer.createTransport({
    host: target.host,
    port: target.port,
    secure: target.secure,
    auth: target.username !== null ? { user: target.username, pass: target.password ?? '' } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    const info = await transport.sendMail({ from: target.from, to: target.to, subject: message.subject, text: message.text });
    return { ok: true, details: { message_id: info.messageId, accepted: info.accepted.map(String), rejected: info.rejected.map(String) } };
  } catch (error) {
    const smtp = error as { message?: string; responseCode?: number; code?: string };
    const responseCode = typeof smtp.responseCode === 'number' ? smtp.responseCode : null;
    const details: Record<string, JsonValue> = responseCode !== null ? { smtp_response_code: responseCode } : {};
    return { ok: false, message: smtp.message ?? String(error), retryable: responseCode === null || responseCode < 500, details };
  } finally {
    transport.close();
  }
}
