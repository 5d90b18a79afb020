/**
 * Sensitive values at rest: parameter values marked sensitive and the log database's connection
 * string are stored encrypted, and only the master (which hands them to the worker running the
 * task) turns them back into clear text.
 *
 * - PostgreSQL and PGlite: the catalog holds only an OpenPGP public key (RSA 3072) and encrypts
 *   with pgcrypto's pgp_pub_encrypt; the private key lives in a key file outside the catalog, one
 *   file per key in the key folder, named by the key's id. A stored value reads
 *   `enc:<key id>:<base64 OpenPGP message>`.
 * - SQL Server: as SSISDB, a symmetric key (AES 256) protected by a certificate under the database
 *   master key; the catalog decrypts for the master itself, so no key file is involved.
 *
 * Rotation (`scaleout catalog key rotate`) makes a new key current and re-encrypts every value
 * stored under an older one; the old key file may go once no value needs it.
 */

import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as OpenPgp from 'openpgp';

// openpgp is loaded when a key is first read or made: a master whose catalog holds no sensitive
// value, and every command that touches none, never pays for it.
let openpgpModule: Promise<typeof OpenPgp> | undefined;
const loadOpenpgp = () => (openpgpModule ??= import('openpgp'));
import { defaultStateFolder } from '../settings-sources.ts';
import type { CatalogDb } from '../db/types.ts';

const PREFIX = /^enc:([0-9a-f]{16}):([A-Za-z0-9+/=\s]+)$/;

/** Where key files are kept unless the settings say otherwise (SCALEOUT_KEY_FOLDER, --key-folder, CatalogKeyFolder). */
export function defaultKeyFolder(): string {
  return process.env.SCALEOUT_KEY_FOLDER || defaultStateFolder('keys');
}

export interface ProtectionKeyPair {
  /** OpenPGP key id, 16 hexadecimal digits: what the catalog records and pgcrypto's pgp_key_id reports. */
  readonly keyId: string;
  readonly publicKey: string;
  readonly privateKey: string;
}

export async function generateProtectionKey(): Promise<ProtectionKeyPair> {
  const openpgp = await loadOpenpgp();
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'rsa',
    rsaBits: 3072,
    userIDs: [{ name: 'Scale Out catalog protection key' }],
    format: 'armored',
  });
  return { keyId: await encryptionKeyIdOf(publicKey), publicKey, privateKey };
}

/** The id of the subkey values are encrypted to: the one pgp_key_id() reads from a stored value. */
async function encryptionKeyIdOf(armored: string): Promise<string> {
  const openpgp = await loadOpenpgp();
  const key = await openpgp.readKey({ armoredKey: armored });
  const encryption = await key.getEncryptionKey();
  return encryption.getKeyID().toHex().toLowerCase();
}

function keyFile(folder: string, keyId: string): string {
  return join(folder, `${keyId}.key`);
}

/** Writes the private key where only this user can read it. */
export function saveProtectionKey(folder: string, pair: ProtectionKeyPair): string {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const file = keyFile(folder, pair.keyId);
  // Written whole, then renamed: a master or another migration never reads half a key.
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, pair.privateKey, { mode: 0o600 });
  chmodSync(partial, 0o600);
  renameSync(partial, file);
  return file;
}

/** The private keys a master or a rotation may decrypt with, by key id. */
export class Keyring {
  private readonly keys = new Map<string, OpenPgp.PrivateKey>();
  /** Clear values by stored text: the same default is copied into every execution, so decrypt it once. */
  private readonly cache = new Map<string, string>();
  private static readonly CACHE_SIZE = 1000;

  constructor(readonly folder: string) {}

  has(keyId: string): boolean {
    return this.keys.has(keyId) || existsSync(keyFile(this.folder, keyId));
  }

  private async key(keyId: string): Promise<OpenPgp.PrivateKey> {
    let key = this.keys.get(keyId);
    if (!key) {
      const file = keyFile(this.folder, keyId);
      if (!existsSync(file)) {
        throw new Error(`A sensitive value is encrypted with protection key ${keyId}, and ${file} does not exist. Copy that key file from the machine where the catalog was created (or last rotated) into ${this.folder}.`);
      }
      const openpgp = await loadOpenpgp();
      key = await openpgp.readPrivateKey({ armoredKey: readFileSync(file, 'utf8') });
      this.keys.set(keyId, key);
    }
    return key;
  }

  /** The clear text of a stored value: values not encrypted by the catalog pass through unchanged. */
  async reveal(stored: string | null): Promise<string | null> {
    if (stored === null) return null;
    const m = PREFIX.exec(stored);
    if (!m) return stored;
    const cached = this.cache.get(stored);
    if (cached !== undefined) return cached;
    const key = await this.key(m[1]!);
    const openpgp = await loadOpenpgp();
    const message = await openpgp.readMessage({ binaryMessage: Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64') });
    const { data } = await openpgp.decrypt({ message, decryptionKeys: key, format: 'binary' });
    const clear = Buffer.from(data as Uint8Array).toString('utf8');
    if (this.cache.size >= Keyring.CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(stored, clear);
    return clear;
  }
}

/** Whether a stored value is encrypted by the PostgreSQL dialect (SQL Server decrypts for the master). */
export function isProtected(stored: unknown): boolean {
  return typeof stored === 'string' && PREFIX.test(stored);
}

/** The key id a stored value was encrypted with, when it is one. */
export function protectedKeyId(stored: string): string | undefined {
  return PREFIX.exec(stored)?.[1];
}

export interface CatalogKeyState {
  /** The current key's id, or undefined when the catalog has none yet. */
  readonly currentKeyId: string | undefined;
  /** Whether the catalog keeps the key itself (SQL Server) rather than a key file. */
  readonly keptByCatalog: boolean;
}

export async function catalogKeyState(db: CatalogDb): Promise<CatalogKeyState> {
  const rows = await db.query(
    db.dialect === 'mssql'
      ? 'SELECT key_id FROM internal.protection_keys WHERE is_current = 1'
      : 'SELECT key_id FROM internal.protection_keys WHERE is_current',
  );
  return { currentKeyId: rows[0] ? String(rows[0].key_id).toLowerCase() : undefined, keptByCatalog: db.dialect === 'mssql' };
}

/** The newest key file in the folder, if there is one. */
function newestKeyFile(folder: string): { keyId: string; file: string } | undefined {
  if (!existsSync(folder)) return undefined;
  const files = readdirSync(folder)
    .filter((f) => /^[0-9a-f]{16}\.key$/.test(f))
    .map((f) => ({ keyId: f.slice(0, 16), file: join(folder, f), at: statSync(join(folder, f)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  return files[0];
}

/**
 * Gives a catalog that has no protection key one: on PostgreSQL and PGlite the newest key in the
 * key folder, or a new one saved there; on SQL Server a key the catalog creates and keeps.
 * Returns what was done, for the caller to say; undefined when the catalog had a key already.
 */
export async function ensureProtectionKey(db: CatalogDb, folder: string = defaultKeyFolder()): Promise<string | undefined> {
  const state = await catalogKeyState(db);
  if (state.currentKeyId) return undefined;
  if (db.dialect === 'mssql') {
    await db.call('catalog.set_protection_key', {});
    return 'created the catalog\'s protection key (a symmetric key under the database master key)';
  }
  const existing = newestKeyFile(folder);
  let pair: { keyId: string; publicKey: string };
  let said: string;
  if (existing) {
    const openpgp = await loadOpenpgp();
    const key = await openpgp.readPrivateKey({ armoredKey: readFileSync(existing.file, 'utf8') });
    pair = { keyId: existing.keyId, publicKey: key.toPublic().armor() };
    said = `protects sensitive values with the key in ${existing.file}`;
  } else {
    const generated = await generateProtectionKey();
    const file = saveProtectionKey(folder, generated);
    pair = generated;
    said = `created a protection key for sensitive values: ${file} (copy it to every master's key folder, and keep a copy safe: values it encrypted cannot be read without it)`;
  }
  await db.call('catalog.set_protection_key', { PublicKey: pair.publicKey });
  return said;
}

/**
 * Makes a new key current and re-encrypts every value stored under an older one, a batch at a
 * time. Returns the new key's id and how many values were re-encrypted.
 */
export async function rotateProtectionKey(db: CatalogDb, folder: string = defaultKeyFolder(), onProgress?: (done: number) => void): Promise<{ keyId: string; reprotected: number }> {
  let keyId: string;
  if (db.dialect === 'mssql') {
    await db.call('catalog.set_protection_key', {});
    keyId = (await catalogKeyState(db)).currentKeyId ?? '';
  } else {
    const pair = await generateProtectionKey();
    saveProtectionKey(folder, pair);
    await db.call('catalog.set_protection_key', { PublicKey: pair.publicKey });
    keyId = pair.keyId;
  }
  const keyring = new Keyring(folder);
  let reprotected = 0;
  for (;;) {
    const rows = (await db.call('internal.protected_values', { BatchSize: 100 })).rows;
    if (rows.length === 0) break;
    let replaced = 0;
    for (const row of rows) {
      const stored = String(row.stored_value);
      const clear = row.clear_value === null || row.clear_value === undefined ? await keyring.reveal(stored) : String(row.clear_value);
      const r = await db.call('internal.replace_protected_value', { Kind: row.kind, RowId: row.row_id, Expected: stored, Value: clear });
      if (r.output.replaced === true || r.output.replaced === 1) replaced += 1;
    }
    reprotected += replaced;
    onProgress?.(reprotected);
    // A batch of which nothing was replaced was all set again meanwhile, under the current key.
    if (replaced === 0) break;
  }
  return { keyId, reprotected };
}
