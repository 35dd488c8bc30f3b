import { randomBytes } from 'node:crypto';
import type { SimCredentials, SimRole } from './types.js';

/** Who a request's access key belongs to. */
export interface Identity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  accountId: string;
  /** STS GetCallerIdentity Arn / UserId. */
  arn: string;
  userId: string;
  /** Set for credentials issued by AssumeRole. */
  role?: SimRole;
  /** Epoch ms; temporary credentials only. */
  expiresAt?: number;
}

const KEY_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function keyId(prefix: 'AKIA' | 'ASIA' | 'AIDA' | 'AROA'): string {
  const bytes = randomBytes(16);
  let out = prefix;
  for (const b of bytes) out += KEY_CHARS[b & 31];
  return out;
}

/**
 * Credentials the simulator issued: long-term keys per account (the management account's are the
 * base credentials) and AssumeRole session credentials. Secrets are random per simulator instance.
 */
export class CredentialStore {
  private byAccessKey = new Map<string, Identity>();
  private longTerm = new Map<string, Identity>();
  private roleIds = new Map<string, string>();

  get(accessKeyId: string): Identity | undefined {
    return this.byAccessKey.get(accessKeyId);
  }

  /** Fixed long-term keys for an account (docker-compose's demo shares them between two containers). */
  presetLongTerm(accountId: string, credentials: SimCredentials): void {
    const identity: Identity = {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      accountId,
      arn: `arn:aws:iam::${accountId}:user/kms-rotation-audit-sim`,
      userId: keyId('AIDA'),
    };
    this.longTerm.set(accountId, identity);
    this.byAccessKey.set(identity.accessKeyId, identity);
  }

  longTermFor(accountId: string): Identity {
    let identity = this.longTerm.get(accountId);
    if (!identity) {
      identity = {
        accessKeyId: keyId('AKIA'),
        secretAccessKey: randomBytes(30).toString('base64'),
        accountId,
        arn: `arn:aws:iam::${accountId}:user/kms-rotation-audit-sim`,
        userId: keyId('AIDA'),
      };
      this.longTerm.set(accountId, identity);
      this.byAccessKey.set(identity.accessKeyId, identity);
    }
    return identity;
  }

  issueSession(accountId: string, role: SimRole, sessionName: string, expiresAt: number): Identity {
    const roleKey = `${accountId}|${role.path ?? '/'}|${role.name}`;
    let roleId = this.roleIds.get(roleKey);
    if (!roleId) {
      roleId = keyId('AROA');
      this.roleIds.set(roleKey, roleId);
    }
    const identity: Identity = {
      accessKeyId: keyId('ASIA'),
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(96).toString('base64'),
      accountId,
      arn: `arn:aws:sts::${accountId}:assumed-role/${role.name}/${sessionName}`,
      userId: `${roleId}:${sessionName}`,
      role,
      expiresAt,
    };
    this.byAccessKey.set(identity.accessKeyId, identity);
    return identity;
  }
}

export function toCredentials(identity: Identity): SimCredentials {
  return identity.sessionToken === undefined
    ? { accessKeyId: identity.accessKeyId, secretAccessKey: identity.secretAccessKey }
    : { accessKeyId: identity.accessKeyId, secretAccessKey: identity.secretAccessKey, sessionToken: identity.sessionToken };
}
