/**
 * One simulated NAT (or stateful firewall) in front of a LAN: the mapping and filtering
 * behaviours of RFC 4787, idle expiry of mappings, and no hairpinning (a packet from the
 * LAN to the NAT's own public address is dropped, as on Linux masquerade).
 */
import type { Endpoint } from '../net/datagram.ts';
import { epKey } from '../net/datagram.ts';

export type NatType = 'full-cone' | 'restricted' | 'port-restricted' | 'symmetric' | 'firewall';

interface Mapping {
  readonly priv: Endpoint;
  readonly port: number;
  readonly allowed: Map<string, number>; // remote key → last outbound time
  lastOut: number;
}

export class NatBox {
  private readonly byPriv = new Map<string, Mapping>();
  private readonly byPort = new Map<number, Mapping>();
  private nextPort = 20000;

  constructor(
    readonly publicAddress: string,
    readonly type: NatType,
    readonly mappingTtlMs = 30_000,
  ) {}

  /** Outbound: the public source endpoint for a LAN packet. */
  outbound(priv: Endpoint, dst: Endpoint, now: number): Endpoint {
    if (this.type === 'firewall') {
      this.remember(priv, priv.port, dst, now, epKey(priv));
      return priv;
    }
    const key = this.type === 'symmetric' ? `${epKey(priv)}>${epKey(dst)}` : epKey(priv);
    let m = this.byPriv.get(key);
    if (m && now - m.lastOut > this.mappingTtlMs) m = this.drop(key, m);
    const port = m?.port ?? this.nextPort++;
    if (this.nextPort > 65000) this.nextPort = 20000;
    this.remember(priv, port, dst, now, key);
    return { address: this.publicAddress, port };
  }

  /** Inbound: the LAN endpoint for a packet to `dst`, or null when filtered. */
  inbound(dst: Endpoint, src: Endpoint, now: number): Endpoint | null {
    const m = this.type === 'firewall' ? this.byPriv.get(epKey(dst)) : this.byPort.get(dst.port);
    if (!m || now - m.lastOut > this.mappingTtlMs) return null;
    if (this.type === 'full-cone') return m.priv;
    const filterKey = this.type === 'restricted' ? src.address : epKey(src);
    const t = m.allowed.get(filterKey);
    return t !== undefined && now - t <= this.mappingTtlMs ? m.priv : null;
  }

  /** Forget every mapping (a NAT reboot): hosts get new public ports. */
  flush(): void {
    this.byPriv.clear();
    this.byPort.clear();
  }

  private remember(priv: Endpoint, port: number, dst: Endpoint, now: number, key: string): void {
    let m = this.byPriv.get(key);
    if (!m) {
      m = { priv, port, allowed: new Map(), lastOut: now };
      this.byPriv.set(key, m);
      if (this.type !== 'firewall') this.byPort.set(port, m);
    }
    m.lastOut = now;
    m.allowed.set(this.type === 'restricted' ? dst.address : epKey(dst), now);
  }

  private drop(key: string, m: Mapping): undefined {
    this.byPriv.delete(key);
    this.byPort.delete(m.port);
    return undefined;
  }
}
