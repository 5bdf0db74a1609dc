// Client tokens as the PowerSync service checks them (packages/service-core/src/auth/KeyStore.ts): the key from
// client_auth.jwks_uri by kid, an audience of client_auth.audience (PSYNC_S2105 when missing), an expiry, and a
// lifetime (exp - iat) of at most token_max_expiration (1 day by default). The user is the token's sub.
import { createRemoteJWKSet, decodeJwt, errors, jwtVerify } from 'jose';

export class AuthError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const MAX_LIFETIME_SECONDS = 86_400;

export class ClientAuth {
  constructor(clientAuth) {
    const uris = [clientAuth.jwks_uri].flat();
    this.keySets = uris.map((uri) => createRemoteJWKSet(new URL(uri), { timeoutDuration: 5000, cooldownDuration: 5000 }));
    this.audience = clientAuth.audience ?? [];
  }

  /** The verified payload of `Authorization: Token <jwt>` (or Bearer), else an AuthError. */
  async verify(header) {
    const match = /^(?:Token|Bearer) (\S+)$/.exec(header ?? '');
    if (!match) throw new AuthError('PSYNC_S2106', 'Authentication required: Authorization: Token <jwt>');
    const token = match[1];
    let claims;
    try {
      claims = decodeJwt(token);
    } catch {
      throw new AuthError('PSYNC_S2101', 'Token is not a JWT');
    }
    if (claims.aud === undefined) throw new AuthError('PSYNC_S2105', 'JWT payload is missing a required claim "aud"');
    let lastError;
    for (const keySet of this.keySets) {
      try {
        const { payload } = await jwtVerify(token, keySet, { audience: this.audience, requiredClaims: ['exp', 'iat', 'sub'] });
        if (payload.exp - payload.iat > MAX_LIFETIME_SECONDS)
          throw new AuthError('PSYNC_S2104', `Token must expire in a maximum of ${MAX_LIFETIME_SECONDS} seconds, got ${payload.exp - payload.iat}`);
        return payload;
      } catch (error) {
        if (error instanceof AuthError) throw error;
        lastError = error;
      }
    }
    if (lastError instanceof errors.JWTExpired) throw new AuthError('PSYNC_S2103', 'JWT has expired');
    if (lastError instanceof errors.JWTClaimValidationFailed) throw new AuthError('PSYNC_S2105', `Unexpected "${lastError.claim}" claim value`);
    if (lastError instanceof errors.JWKSNoMatchingKey) throw new AuthError('PSYNC_S2101', 'Could not find an appropriate key in the keystore');
    throw new AuthError('PSYNC_S2101', `Token is not valid: ${lastError?.message}`);
  }

  /** Whether the JWKS answers with a key (the stand-in's liveness waits for it, as the API must be up). */
  async reachable() {
    try {
      await this.keySets[0].reload();
      return this.keySets[0].jwks()?.keys?.length > 0;
    } catch {
      return false;
    }
  }
}
