/**
 * Fuzzing DER: edits aimed at one ASN.1 node of a real structure (its tag, its length, its content,
 * the node truncated, dropped or doubled), so that mutations reach deep fields (extensions, names,
 * signed attributes) of something that still mostly parses — where random bytes never get.
 */
import * as asn1js from 'asn1js';
import fc from 'fast-check';

interface Node {
  readonly start: number;
  readonly headerLength: number;
  readonly end: number;
}

/** Every ASN.1 node of `der`, nested ones (OCTET STRING contents that are DER included), by byte range. */
export function asn1Nodes(der: Uint8Array): Node[] {
  const nodes: Node[] = [];
  const walk = (node: asn1js.AsnType) => {
    const block = node as asn1js.BaseBlock;
    const view = block.valueBeforeDecodeView;
    if (view === undefined || block.idBlock === undefined || block.lenBlock === undefined) return;
    const start = view.byteOffset - der.byteOffset;
    nodes.push({
      start,
      headerLength: block.idBlock.blockLength + block.lenBlock.blockLength,
      end: start + view.byteLength,
    });
    const children = (node as asn1js.Constructed).valueBlock?.value;
    if (Array.isArray(children)) for (const child of children) walk(child as asn1js.AsnType);
  };
  walk(asn1js.fromBER(der).result);
  return nodes.filter((n) => n.headerLength > 0 && n.end <= der.length);
}

/** One of `sources` with one or two of its ASN.1 nodes edited; at most `maxLength` bytes. */
export function derNodeEdits(
  sources: readonly Uint8Array[],
  maxLength = 64 * 1024,
): fc.Arbitrary<Uint8Array> {
  const withNodes = sources.map((der) => ({ der, nodes: asn1Nodes(der) }));
  return fc
    .tuple(
      fc.constantFrom(...withNodes),
      fc.array(
        fc.tuple(
          fc.nat(),
          fc.constantFrom('tag', 'length', 'content', 'truncate', 'drop', 'double'),
          fc.nat({ max: 255 }),
        ),
        { minLength: 1, maxLength: 2 },
      ),
    )
    .map(([{ der, nodes }, edits]) => {
      const bytes = [...der];
      // Later edits use the original offsets, applied from the end so earlier ones stay valid.
      const chosen = edits.map(([at, kind, value]) => ({
        node: nodes[at % nodes.length] as Node,
        kind,
        value,
      }));
      chosen.sort((a, b) => b.node.start - a.node.start);
      for (const { node, kind, value } of chosen) {
        const contentStart = node.start + node.headerLength;
        if (kind === 'tag') bytes[node.start] = value;
        else if (kind === 'length') bytes[node.start + 1] = value;
        else if (kind === 'content' && node.end > contentStart)
          bytes[contentStart + (value % (node.end - contentStart))] = (value * 7 + 1) & 0xff;
        else if (kind === 'truncate')
          bytes.splice(contentStart, Math.min(value % 4, node.end - contentStart) + 1);
        else if (kind === 'drop') bytes.splice(node.start, node.end - node.start);
        else if (kind === 'double') bytes.splice(node.end, 0, ...bytes.slice(node.start, node.end));
      }
      return new Uint8Array(bytes.slice(0, maxLength));
    });
}

/** `bytes` with up to four bytes overwritten and maybe cut short: for binary (non-DER) encodings such as TLS. */
export function byteEdits(source: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 4 }),
      fc.option(fc.nat()),
    )
    .map(([edits, cut]) => {
      const bytes = new Uint8Array(source);
      for (const [at, value] of edits) bytes[at % bytes.length] = value;
      return cut === null ? bytes : bytes.slice(0, cut % (bytes.length + 1));
    });
}
