import { generateKeyPairSync } from "node:crypto";

let cachedKey: string | undefined;

/** Generates, once per process, an RSA private key in PEM form that signs the app's JWTs in tests. */
export function testPrivateKey(): string {
  cachedKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  return cachedKey;
}
