/** Reading and writing key files. The private key is created 0600 and never overwritten. */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { KeyError } from '../common/errors.ts';
import {
  generateKeyPair,
  parsePublicKeyPem,
  parseSecretKeyPem,
  type PublicKey,
  type SecretKey,
} from './keys.ts';

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new KeyError(
      'KEY_IO',
      `${what} ${path}: cannot read (${(cause as NodeJS.ErrnoException).code ?? 'error'})`,
      { cause },
    );
  }
}

export async function loadPublicKey(path: string): Promise<PublicKey> {
  return parsePublicKeyPem(await readText(path, 'public key'), `public key ${path}`);
}

export async function loadSecretKey(path: string): Promise<SecretKey> {
  return parseSecretKeyPem(await readText(path, 'private key'), `private key ${path}`);
}

/** Writes PREFIX.key (0600) and PREFIX.pub; refuses to overwrite either. */
export async function writeKeyPair(
  prefix: string,
): Promise<{ keyPath: string; pubPath: string; keyId: string }> {
  const keyPath = `${prefix}.key`;
  const pubPath = `${prefix}.pub`;
  for (const path of [keyPath, pubPath]) {
    if (existsSync(path))
      throw new KeyError('KEY_EXISTS', `${path} already exists; refusing to overwrite a key`);
  }
  const kp = await generateKeyPair();
  for (const [path, data, mode] of [
    [keyPath, kp.secretPem, 0o600],
    [pubPath, kp.publicPem, 0o644],
  ] as const) {
    try {
      await writeFile(path, data, { mode, flag: 'wx' });
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      if (code === 'EEXIST')
        throw new KeyError('KEY_EXISTS', `${path} already exists; refusing to overwrite a key`, { cause });
      throw new KeyError('KEY_IO', `${path}: cannot write (${code ?? 'error'})`, { cause });
    }
  }
  return { keyPath, pubPath, keyId: kp.keyId };
}
