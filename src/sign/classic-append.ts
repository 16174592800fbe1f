/**
 * Appends a signature layer to a `.sig` image without losing anyone else's: cosign's
 * read-modify-write has a race (two signers read the same image, the second PUT drops the first
 * layer). We close it in practice: after writing, re-read after a random pause; while our layer is
 * missing, merge it — with every layer we have seen in this operation — into the newest image and
 * write again; stop once our layer survives repeated checks.
 */

import { NotFoundError, RegistryError } from '../errors/registry.js';
import { SigningError } from '../errors/verify.js';
import { fromBase64 } from '../internal/bytes.js';
import type { PublicKey } from '../keys/key-objects.js';
import { verifySignatureSync } from '../keys/verify.js';
import type { Descriptor, ImageManifest } from '../payload/oci.js';
import {
  buildSignatureImage,
  parseSignatureConfig,
  SignatureAnnotation,
  sameSignatureLayerContent,
} from '../payload/signature-image.js';
import type { RegistryClient } from '../registry/client.js';

const CONFIRMATIONS = 3;
const MAX_ROUNDS = 20;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function readSigImage(
  client: RegistryClient,
  ref: string,
  signal?: AbortSignal,
): Promise<{ manifest: ImageManifest; created?: string } | undefined> {
  try {
    const fetched = await client.getManifest(ref, { signal });
    const manifest = fetched.manifest as ImageManifest;
    if (!Array.isArray(manifest.layers)) return undefined;
    const repo = ref.slice(0, ref.lastIndexOf(':'));
    let created: string | undefined;
    try {
      created = parseSignatureConfig(
        await client.getBlobBytes(repo, manifest.config.digest, { signal, maxBytes: 4 * 1024 * 1024 }),
      ).created;
    } catch {
      created = undefined;
    }
    return created === undefined ? { manifest } : { manifest, created };
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

function hasLayer(layers: readonly Descriptor[], layer: Descriptor): boolean {
  const signature = layer.annotations?.[SignatureAnnotation.signature];
  return layers.some(
    (l) => l.digest === layer.digest && l.annotations?.[SignatureAnnotation.signature] === signature,
  );
}

export interface AppendResult {
  readonly duplicate: boolean;
  readonly manifestDigest?: string;
}

/**
 * Appends `layer` (with its `payload` blob) to the signature image at `tagRef`
 * (`registry/repo:sha256-….sig`). `publicKey` is the signer's, for cosign's duplicate check.
 */
export async function appendSignature(
  client: RegistryClient,
  tagRef: string,
  layer: Descriptor,
  payload: Uint8Array,
  publicKey: PublicKey,
  options: { dockerMediaTypes?: boolean; signal?: AbortSignal | undefined },
): Promise<AppendResult> {
  const repo = tagRef.slice(0, tagRef.lastIndexOf(':'));
  const first = await readSigImage(client, tagRef, options.signal);
  // cosign's duplicate check: same content, and the existing signature verifies over our payload.
  for (const existing of first?.manifest.layers ?? []) {
    const sig = fromBase64(existing.annotations?.[SignatureAnnotation.signature] ?? '');
    if (
      sameSignatureLayerContent(existing, layer) &&
      sig !== undefined &&
      verifySignatureSync(publicKey, payload, sig)
    )
      return { duplicate: true };
  }
  await client.pushBlob(repo, payload, { mediaType: layer.mediaType, signal: options.signal });
  const seen = new Map<string, Descriptor>();
  let current = first;
  let confirmations = 0;
  let written: string | undefined;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const layers = current?.manifest.layers ?? [];
    for (const l of layers)
      seen.set(`${l.digest} ${l.annotations?.[SignatureAnnotation.signature] ?? ''}`, l);
    if (hasLayer(layers, layer)) {
      if (++confirmations >= CONFIRMATIONS)
        return written === undefined ? { duplicate: false } : { duplicate: false, manifestDigest: written };
    } else {
      confirmations = 0;
      const merged = [...layers];
      for (const l of seen.values()) if (!hasLayer(merged, l)) merged.push(l);
      merged.push(layer);
      const image = buildSignatureImage(merged, {
        ...(options.dockerMediaTypes ? { dockerMediaTypes: true } : {}),
        ...(current?.created !== undefined ? { created: current.created } : {}),
      });
      try {
        await client.pushBlob(repo, image.config, {
          mediaType: image.configDescriptor.mediaType,
          signal: options.signal,
        });
        written = (
          await client.putManifest(tagRef, image.manifest, image.mediaType, { signal: options.signal })
        ).digest;
      } catch (error) {
        // Concurrent writers uploading the same config blob can make the registry refuse a manifest
        // for a moment (distribution answers DIGEST_INVALID / MANIFEST_BLOB_UNKNOWN); try the round again.
        if (!(error instanceof RegistryError) || (error.status !== 400 && error.status !== 404)) throw error;
      }
    }
    await sleep(15 + Math.random() * 60);
    current = await readSigImage(client, tagRef, options.signal);
  }
  throw new SigningError(
    `Other writers kept replacing ${tagRef}; the signature was not kept after ${MAX_ROUNDS} attempts`,
  );
}
