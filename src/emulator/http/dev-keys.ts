import { createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ConnectedAppDef } from '../org/model.ts';

/**
 * The dev-only private key that matches a connected app's certificate, searched in `<seed dir>/keys/`.
 * Matching by public key (not by file name) means a seed can carry several apps and key pairs.
 */
export function findDevPrivateKey(seedPath: string, app: ConnectedAppDef): { pem: string; file: string } | undefined {
  const dir = path.join(path.dirname(seedPath), 'keys');
  if (!existsSync(dir)) return undefined;
  const wanted = new X509Certificate(app.certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    const pem = readFileSync(file, 'utf8');
    if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(pem)) continue;
    try {
      const publicDer = createPublicKey(pem).export({ type: 'spki', format: 'der' });
      if (publicDer.equals(wanted)) return { pem, file };
    } catch {
      // Not a usable key (encrypted or malformed): keep looking.
    }
  }
  return undefined;
}
