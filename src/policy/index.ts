/**
 * `ocisign/policy`: not yet implemented. The subpath exists so the package's export map is complete;
 * its API arrives with the issue that builds this layer.
 *
 * @packageDocumentation
 */
export {};
