/**
 * Round-trip estimate (RFC 6298: srtt, rttvar; samples from first tries only, as Karn) and
 * the retransmission timeout it gives, srtt + 4·rttvar between a floor and a ceiling.
 * One per fetch attempt (chunk round trips to that holder) and one per node (SWIM probe
 * acks), which gives a first fetch its first timeout before any chunk came back.
 */
export class RttEstimator {
  /** ms; 0 = no sample yet. */
  srtt = 0;
  rttvar = 0;

  sample(rtt: number): void {
    if (!(rtt >= 0) || !Number.isFinite(rtt)) return;
    const r = Math.max(rtt, 1);
    if (this.srtt === 0) {
      this.srtt = r;
      this.rttvar = r / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
  }

  /** The timeout: `fallback` without a sample, else srtt + 4·rttvar within [floor, ceiling]. */
  rto(floor: number, ceiling: number, fallback = ceiling): number {
    if (this.srtt === 0) return fallback;
    return Math.min(ceiling, Math.max(floor, this.srtt + 4 * this.rttvar));
  }
}
