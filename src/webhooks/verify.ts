/**
 * Cal.com's webhook signature: `X-Cal-Signature-256` = lowercase hex HMAC-SHA256 of the exact body
 * bytes, keyed with the webhook's secret (packages/features/webhooks/lib/sendPayload.ts;
 * docs/calcom-contract.md#webhooks). Checked against the raw bytes, never a re-serialised object.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header Cal.com signs with. */
export const SIGNATURE_HEADER = 'x-cal-signature-256';

/** `hex(HMAC-SHA256(secret, body))`, as Cal.com computes it. */
export function signCalcomBody(body: string | Buffer, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * True when `header` is the signature of `rawBody` under one of `secrets` (several during a
 * rotation). Constant-time per secret; a missing header, Cal.com's `no-secret-provided` or anything
 * not 64 hex digits is false.
 */
export function verifyCalcomSignature(rawBody: Buffer, header: string | undefined, secrets: readonly string[]): boolean {
  if (!header) return false;
  const given = Buffer.from(header.trim().toLowerCase(), 'utf8');
  if (!/^[0-9a-f]{64}$/.test(given.toString('utf8'))) return false;
  let ok = false;
  for (const secret of secrets) {
    const expected = Buffer.from(signCalcomBody(rawBody, secret), 'utf8');
    // Every secret is tried, so the time taken does not tell which one matched.
    if (timingSafeEqual(expected, given)) ok = true;
  }
  return ok;
}
