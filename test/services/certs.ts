// Certificates for one run, made with openssl: a CA and a server certificate for the TLS registry
// (SAN DNS:localhost, IP:127.0.0.1, IP:::1), and a self-signed token-signing certificate that is the token
// registry's rootcertbundle. Plus the libtrust key id distribution matches a JWT `kid` against.
import { createHash, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run } from './procs';

export interface TlsFiles {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
}

export interface TokenSigningFiles {
  cert: string;
  key: string;
}

export interface CaOptions {
  /** The CA's common name. */
  caName?: string;
  /** The server certificate's DNS names (default localhost) and IP addresses (default 127.0.0.1 and ::1). */
  hostnames?: string[];
  ips?: string[];
  /** The server certificate's lifetime in days (default 825). */
  days?: number;
}

/** A CA and one server certificate it signed (for the TLS registry; the vendor emulators pass their host names). */
export async function makeCa(dir: string, opts: CaOptions = {}): Promise<TlsFiles> {
  const f = (n: string) => path.join(dir, n);
  const sans = [
    ...[...new Set(opts.hostnames ?? ['localhost'])].map((h) => `DNS:${h}`),
    ...(opts.ips ?? ['127.0.0.1', '::1']).map((ip) => `IP:${ip}`),
  ].join(',');
  await Promise.all([
    run(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '3650',
        '-subj',
        `/CN=${opts.caName ?? 'Registry Lens Test CA'}`,
        '-keyout',
        f('ca.key'),
        '-out',
        f('ca.crt'),
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
      dir,
    ),
    run(
      'openssl',
      [
        'req',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-subj',
        '/CN=localhost',
        '-keyout',
        f('server.key'),
        '-out',
        f('server.csr'),
      ],
      dir,
    ),
  ]);
  fs.writeFileSync(
    f('server.ext'),
    `subjectAltName=${sans}\nbasicConstraints=CA:FALSE\n` +
      'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  await run(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      f('server.csr'),
      '-CA',
      f('ca.crt'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-days',
      String(opts.days ?? 825),
      '-extfile',
      f('server.ext'),
      '-out',
      f('server.crt'),
    ],
    dir,
  );
  return { caCert: f('ca.crt'), caKey: f('ca.key'), serverCert: f('server.crt'), serverKey: f('server.key') };
}

export async function makeTokenSigner(dir: string): Promise<TokenSigningFiles> {
  const cert = path.join(dir, 'token.crt');
  const key = path.join(dir, 'token.key');
  await run(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '3650',
      '-subj',
      '/CN=Registry Lens test token signer',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    dir,
  );
  return { cert, key };
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * libtrust key id: SHA-256 of the DER SubjectPublicKeyInfo, first 30 bytes, base32 without padding,
 * 12 groups of 4 characters joined by ':'.
 */
export function libtrustKid(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const hash = createHash('sha256').update(der).digest().subarray(0, 30);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of hash) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return (out.match(/.{1,4}/g) ?? []).join(':');
}
