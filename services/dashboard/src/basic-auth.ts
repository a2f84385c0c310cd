import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { BasicCredentials } from './config';

const BASIC = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i;

/** Interval in which only the first rejected login is logged; later ones are counted. */
const LOG_INTERVAL_MS = 60_000;

/** Parses an `Authorization: Basic …` header; returns undefined for a missing or other header. */
export function parseBasicAuthorization(header: string | undefined): BasicCredentials | undefined {
  const match = header === undefined ? null : BASIC.exec(header);
  if (!match) return undefined;

  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Creates a check of presented credentials against `expected`. Both sides are hashed
 * first, so timingSafeEqual always compares 32 bytes and the time taken reveals
 * neither the length nor a matching prefix of the user name or password.
 */
export function createCredentialCheck(expected: BasicCredentials): (presented: BasicCredentials) => boolean {
  const userDigest = sha256(expected.user);
  const passwordDigest = sha256(expected.password);

  return (presented) => {
    // Both comparisons always run, so a right user name with a wrong password takes
    // as long as a wrong user name.
    const userMatches = timingSafeEqual(sha256(presented.user), userDigest);
    const passwordMatches = timingSafeEqual(sha256(presented.password), passwordDigest);
    return userMatches && passwordMatches;
  };
}

/**
 * Creates middleware that lets a request through only with the expected HTTP Basic
 * credentials and responds 401 with a WWW-Authenticate challenge otherwise. Rejected
 * logins are logged with the caller's address, at most once a minute with a count of
 * those not logged since.
 */
export function basicAuth(options: { credentials: BasicCredentials; realm: string; logger: Logger }): RequestHandler {
  const matches = createCredentialCheck(options.credentials);
  const challenge = `Basic realm="${options.realm}", charset="UTF-8"`;
  let lastLoggedAt = 0;
  let notLogged = 0;

  return (req, res, next) => {
    const presented = parseBasicAuthorization(req.get('authorization'));
    if (presented && matches(presented)) {
      next();
      return;
    }

    // A browser's first request carries no credentials; only wrong ones are worth a log line.
    if (presented) {
      const now = Date.now();
      if (now - lastLoggedAt >= LOG_INTERVAL_MS) {
        options.logger.warn(
          { callerIp: req.ip, notLoggedSinceLastWarning: notLogged },
          'dashboard login rejected: wrong user name or password',
        );
        lastLoggedAt = now;
        notLogged = 0;
      } else {
        notLogged += 1;
      }
    }

    res
      .status(401)
      .set({ 'WWW-Authenticate': challenge, 'Cache-Control': 'no-store' })
      .type('text/plain')
      .send('Authentication required: sign in with the dashboard user name and password\n');
  };
}
