/**
 * A cluster's namespace at an open rendezvous (certificate mode, docs/security.md): a tag
 * that keeps one cluster's session table apart from another's on a shared rendezvous,
 * and tells the rendezvous nothing else. It derives from what every enrolled node already
 * holds, so no one configures it:
 *   ns = hex(SHA-256("p2pu-ns-v1\0" ‖ CA public key ‖ cluster name))[0:32]
 */
import { createHash } from 'node:crypto';

export function clusterNamespace(caPublicKey: Uint8Array, cluster: string): string {
  return createHash('sha256')
    .update('p2pu-ns-v1\0')
    .update(caPublicKey)
    .update(cluster, 'utf8')
    .digest('hex')
    .slice(0, 32);
}
