// Test certificates made by the real openssl: a CA, and server certificates it signs for
// 127.0.0.1 / localhost. The certificate file holds the full chain (leaf, then the CA), as
// Let's Encrypt's fullchain.pem does.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const openssl = (args, cwd) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });

/** A fresh directory with a CA (ca.pem, ca.key). */
export function makeCa(name = 'wscam test CA') {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-certs-'));
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  return { dir, ca: readFileSync(join(dir, 'ca.pem')), caFile: join(dir, 'ca.pem') };
}

/** A server certificate signed by `ca` for 127.0.0.1 and `names` (localhost); returns file paths and the PEM. */
export function makeServerCert(ca, stem = 'server', cn = '127.0.0.1', names = ['localhost']) {
  const { dir } = ca;
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${stem}.key`,
    '-out', `${stem}.csr`, '-subj', `/CN=${cn}`], dir);
  const san = ['IP:127.0.0.1', ...names.map((n) => `DNS:${n}`)].join(',');
  writeFileSync(join(dir, `${stem}.ext`), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
  openssl(['x509', '-req', '-in', `${stem}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
    '-extfile', `${stem}.ext`, '-out', `${stem}.leaf.pem`], dir);
  const chain = Buffer.concat([readFileSync(join(dir, `${stem}.leaf.pem`)), readFileSync(join(dir, 'ca.pem'))]);
  writeFileSync(join(dir, `${stem}.pem`), chain);
  const fingerprint = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', join(dir, `${stem}.leaf.pem`)])
    .toString().split('=')[1].trim();
  return { cert: join(dir, `${stem}.pem`), key: join(dir, `${stem}.key`), fingerprint };
}
